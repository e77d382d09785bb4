import re

from litestar import Controller, Litestar, get
from litestar.testing import AsyncTestClient

from api.app import unguarded_routes


async def test_health_is_public_and_reports_the_database(client: AsyncTestClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["database"] is True
    assert response.headers["x-contract-version"]


async def test_every_protected_route_without_a_token_is_a_401_problem(client: AsyncTestClient, app: Litestar) -> None:
    assert (await client.get("/schema/openapi.json")).status_code == 200  # the schema itself is public
    checked = 0
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            methods = handler.http_methods - {"OPTIONS", "HEAD"}
            if handler.opt.get("public") or not methods or route.path.startswith("/schema"):
                continue
            path = re.sub(r"\{(\w+):uuid\}", "01a201cc-c7da-770c-8ec7-a6de82623538", route.path)
            path = re.sub(r"\{(\w+):int\}", "1", path)
            answer = await client.request(sorted(methods)[0], re.sub(r"\{(\w+):\w+\}", "x", path))
            assert answer.status_code == 401, route.path
            assert answer.headers["content-type"].startswith("application/problem+json")
            assert answer.json()["code"] == "unauthenticated"
            checked += 1
    assert checked > 50


def test_every_route_declares_an_authorisation_rule(app: Litestar) -> None:
    assert unguarded_routes(app) == []


def test_a_route_without_a_rule_is_found() -> None:
    class Careless(Controller):
        path = "/careless"

        @get("/")
        async def open_door(self) -> str:
            return "anyone"

    assert unguarded_routes(Litestar([Careless])) == ["['GET'] /careless"]


def test_settings_survive_the_trip_to_worker_processes(settings) -> None:
    from api.settings import load_settings, settings_environment

    assert load_settings(settings_environment(settings)) == settings
