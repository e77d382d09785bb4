from litestar import Controller, Litestar, get
from litestar.testing import AsyncTestClient

from api.app import unguarded_routes


async def test_health_is_public_and_reports_the_database(client: AsyncTestClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["database"] is True
    assert response.headers["x-contract-version"]


async def test_protected_route_without_token_is_a_401_problem(client: AsyncTestClient) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200  # the schema itself is public
    paths = [p for p in response.json()["paths"] if not p.startswith("/health")]
    for path in paths:
        if "{" in path:
            continue
        methods = response.json()["paths"][path]
        method = next(iter(methods))
        if methods[method].get("security") == [{}]:
            continue  # declared public (sign-in): no token expected
        answer = await client.request(method.upper(), path)
        assert answer.status_code == 401, path
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["code"] in {"unauthenticated", "token-expired"}


def test_every_route_declares_an_authorisation_rule(app: Litestar) -> None:
    assert unguarded_routes(app) == []


def test_a_route_without_a_rule_is_found() -> None:
    class Careless(Controller):
        path = "/careless"

        @get("/")
        async def open_door(self) -> str:
            return "anyone"

    assert unguarded_routes(Litestar([Careless])) == ["['GET'] /careless"]
