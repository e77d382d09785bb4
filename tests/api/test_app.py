import re

from litestar import Controller, Litestar, get
from litestar.testing import AsyncTestClient

from api.app import unguarded_routes
from api.console.page import PAGE, PageController


async def test_health_is_public_and_reports_the_database(client: AsyncTestClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["database"] is True
    assert response.headers["x-contract-version"]


def protected_requests(app: Litestar, *, pages: bool) -> list[tuple[str, str]]:
    """(method, path) of every non-public API route (``pages`` False) or console page (True)."""
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            methods = handler.http_methods - {"OPTIONS", "HEAD"}
            if handler.opt.get("public") or not methods or route.path.startswith("/schema"):
                continue
            if bool(handler.opt.get(PAGE)) is not pages:
                continue
            path = re.sub(r"\{(\w+):uuid\}", "01a201cc-c7da-770c-8ec7-a6de82623538", route.path)
            path = re.sub(r"\{(\w+):int\}", "1", path)
            found.append((sorted(methods)[0], re.sub(r"\{(\w+):\w+\}", "x", path)))
    return found


async def test_every_protected_route_without_a_token_is_a_401_problem(client: AsyncTestClient, app: Litestar) -> None:
    assert (await client.get("/schema/openapi.json")).status_code == 200  # the schema itself is public
    requests = protected_requests(app, pages=False)
    for method, path in requests:
        answer = await client.request(method, path)
        assert answer.status_code == 401, path
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["code"] == "unauthenticated"
    assert len(requests) > 50


async def test_every_console_page_without_a_session_sends_to_sign_in(client: AsyncTestClient, app: Litestar) -> None:
    requests = protected_requests(app, pages=True)
    for method, path in requests:
        answer = await client.request(method, path, follow_redirects=False)
        if method == "GET":
            assert (answer.status_code, answer.headers["location"]) == (303, f"/?next={path}"), path
        else:
            assert answer.status_code == 401 and "请先登录" in answer.text, path
    assert len(requests) >= 5


def test_every_route_declares_an_authorisation_rule(app: Litestar) -> None:
    assert unguarded_routes(app) == []


def test_a_route_without_a_rule_is_found() -> None:
    class Careless(Controller):
        path = "/careless"

        @get("/")
        async def open_door(self) -> str:
            return "anyone"

    assert unguarded_routes(Litestar([Careless])) == ["['GET'] /careless"]


def test_a_console_page_without_a_rule_is_found() -> None:
    class CarelessPage(PageController):
        path = "/console/careless"

        @get("/")
        async def open_page(self) -> str:
            return "anyone"

    assert unguarded_routes(Litestar([CarelessPage])) == ["['GET'] /console/careless"]


def test_settings_survive_the_trip_to_worker_processes(settings) -> None:
    from api.settings import load_settings, settings_environment

    assert load_settings(settings_environment(settings)) == settings
