"""Fixtures on the real embedded PostgreSQL and S3 servers, started once per run.

Every test makes its own department and users, so tests never share data and
nothing needs truncating (the audit log could not be truncated anyway).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import asyncpg
import hypothesis
import msgspec
import pytest
import uvicorn
from litestar import Litestar
from litestar.testing import AsyncTestClient
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api.app import create_app
from api.auth.passwords import hash_password
from api.auth.principal import Principal
from api.auth.tokens import issue_access_token
from api.runtime import resolved
from api.settings import FleetSettings, Settings
from mobile_contract.auth import Role
from storage import numbered_documents, users
from storage.db import create_pool
from storage.embedded import free_port
from tests.markers import pytest_collection_modifyitems, server_knocks  # noqa: F401 (the marker rule)

# Two cores shared by several test runs: how fast examples are drawn says nothing about the code under test.
hypothesis.settings.register_profile(
    "shared-machine", deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow]
)
hypothesis.settings.load_profile("shared-machine")

# Properties fail for a wrong answer, never for a slow one: the gate runs on 2 shared, often loaded cores, where
# hypothesis's 200 ms deadline and its too-slow check failed tests that were right. A hang still ends the run
# (CI's time limit). `HYPOTHESIS_PROFILE=full` tries ten times as many examples (docs/testing.md).
hypothesis.settings.register_profile(
    "ci", deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow], print_blob=True
)
hypothesis.settings.register_profile("full", hypothesis.settings.get_profile("ci"), max_examples=1000)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

TEST_PASSWORD = "correct horse battery"
TEST_PROXY = "testclient"  # the peer address Litestar's test client reports
_addresses = itertools.count(1)
_PASSWORD_HASH = hash_password(TEST_PASSWORD)


# What decisions must state that no case holds (复议机关, 人民法院, where to pay): every test department has it.
DOCUMENT_SETTINGS = {
    "review_body": "某区人民政府", "court": "某区人民法院", "payment_bank": "中国工商银行某区支行",
    "payment_account_name": "某区财政局非税收入汇缴专户", "payment_account_no": "1502 0012 3456 7890 123",
    "address": "某区某路 1 号", "phone": "0791-88888888",
}  # fmt: skip


class Caller(msgspec.Struct):
    """A signed-in user as a test uses it: who, and the headers to send."""

    principal: Principal
    headers: dict[str, str]


class Department(msgspec.Struct):
    id: uuid.UUID
    code: str
    region_code: str


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    # the unwatched-camera watchdog sweeps only when a test asks (api.cameras.watchdog.sweep), so other tests'
    # sites never gain camera_unwatched alerts behind their backs
    fleet = FleetSettings(watch_every_s=0)
    with resolved(Settings(data_dir=tmp_path_factory.mktemp("var"), fleet=fleet)) as ready:
        yield ready


@pytest.fixture(scope="session")
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture(scope="session")
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient]:
    """The app behind uvicorn's own proxy-header middleware, as in production behind a proxy (here the
    test client is the trusted proxy): a request's ``X-Forwarded-For`` is the address it comes from."""
    async with AsyncTestClient(ProxyHeadersMiddleware(app, trusted_hosts=TEST_PROXY)) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def _own_address(request: pytest.FixtureRequest) -> None:
    """Each test calls from an address of its own (198.18.0.0/15, for tests), so sign-in failures and
    complaint submissions of one test never make another one wait."""
    if "client" in request.fixturenames:
        n = next(_addresses)
        request.getfixturevalue("client").headers["x-forwarded-for"] = (
            f"198.{18 + n // 65536}.{n // 256 % 256}.{n % 256}"
        )


@pytest.fixture(scope="session")
async def pool(settings: Settings, client: AsyncTestClient) -> AsyncIterator[asyncpg.Pool]:
    """The tests' own pool on the same database (the app's lives on the client's loop)."""
    assert settings.database.url is not None
    test_pool = await create_pool(settings.database.url, min_size=1, max_size=10)
    yield test_pool
    await test_pool.close()


@pytest.fixture
def make_department(pool: asyncpg.Pool) -> Callable[..., Awaitable[Department]]:
    async def make(region_code: str = "360102") -> Department:
        dept = Department(id=uuid.uuid4(), code=f"D{uuid.uuid4().hex[:10]}", region_code=region_code)
        async with pool.acquire() as conn:
            await users.create_department(
                conn, id=dept.id, code=dept.code, name=f"测试局 {dept.code}", region_code=region_code
            )
            await numbered_documents.save_document_settings(
                conn, department_id=dept.id, values=DOCUMENT_SETTINGS, by=None
            )
        return dept

    return make


@pytest.fixture
def make_user(pool: asyncpg.Pool, settings: Settings) -> Callable[..., Awaitable[Caller]]:
    async def make(role: Role, department: Department, *, device_id: str | None = "DEV-TEST-0001") -> Caller:
        user_id = uuid.uuid4()
        username = f"{role.value}-{user_id.hex[:8]}"
        async with pool.acquire() as conn:
            await users.create_user(
                conn,
                id=user_id,
                username=username,
                display_name=f"测试 {username}",
                password_hash=_PASSWORD_HASH,
                role=role.value,
                department_id=department.id,
                region_code=department.region_code,
                certificate_no=f"C{user_id.hex[:10]}" if role is Role.INSPECTOR else None,
            )
        principal = Principal(
            user_id=user_id,
            username=username,
            role=role,
            department_id=department.id,
            region_code=department.region_code,
            device_id=device_id,
            sign_in_id=uuid.uuid4(),  # a sign-in of its own, as after POST /auth/login (no refresh token kept)
        )
        token = issue_access_token(principal, secret=settings.auth.jwt_secret, ttl_s=600)
        return Caller(principal=principal, headers={"Authorization": f"Bearer {token}"})

    return make


@pytest.fixture
async def department(make_department: Callable[..., Awaitable[Department]]) -> Department:
    return await make_department()


@pytest.fixture
async def inspector(make_user: Callable[..., Awaitable[Caller]], department: Department) -> Caller:
    return await make_user(Role.INSPECTOR, department)


@contextlib.contextmanager
def served(app: Litestar) -> Iterator[str]:
    """The app behind real uvicorn in a thread, for true concurrency and streamed responses."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", ws="none", timeout_graceful_shutdown=5
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        threading.Event().wait(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="session")
def live_server(settings: Settings) -> Iterator[str]:
    """The app behind real uvicorn, for true concurrency and streamed responses (the test client buffers both)."""
    with served(create_app(settings)) as url:
        yield url
