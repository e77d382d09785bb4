"""The ``integration`` marker says the truth: a test on PostgreSQL or S3 has it, every other test stays off them.

A test gets the marker from its fixtures: everything on the embedded servers hangs from ``settings``,
which starts them. A test that reaches the servers some other way (starting its own, connecting with
a DSN, calling S3) must be marked by hand; if it is not, the call is refused and the test fails, so
``pytest -m "not integration"`` stays a run without servers.

Only calls made from the test's own code are refused (its module is on the call stack): the API's
background tasks, started by an earlier integration test, keep reconnecting as they must.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import minio
import pytest

from storage import embedded
from storage.embedded import postgres, s3

SERVER_FIXTURE = "settings"  # starts the embedded PostgreSQL and S3; every server fixture depends on it
# Where a test could reach the servers without the fixtures: (owner, attribute) pairs.
SERVER_DOORS: tuple[tuple[Any, str], ...] = (
    (asyncpg, "connect"),
    (asyncpg, "create_pool"),
    (minio.Minio, "_url_open"),
    (embedded, "start_postgres"),
    (embedded, "start_s3"),
    (postgres, "start_postgres"),
    (s3, "start_s3"),
)


class UnmarkedIntegration(RuntimeError):
    """A test without the ``integration`` marker reached PostgreSQL or S3."""


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SERVER_FIXTURE in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(autouse=True)
def server_knocks(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Shut the doors to the servers for a test without the marker; fail it if it knocked (even if it caught that).

    Yields the knocks so far; tests/test_markers.py empties it after knocking on purpose.
    """
    knocked: list[str] = []
    if request.node.get_closest_marker("integration"):
        yield knocked
        return
    test_file = str(Path(request.node.path))
    for owner, name in SERVER_DOORS:
        monkeypatch.setattr(owner, name, _guarded(getattr(owner, name), test_file, request.node.nodeid, knocked))
    yield knocked
    if knocked:
        pytest.fail(f"{knocked[0]}; mark it integration", pytrace=False)


def _guarded(door: Callable[..., Any], test_file: str, test_id: str, knocked: list[str]) -> Callable[..., Any]:
    @functools.wraps(door)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if _called_from(test_file):
            knocked.append(f"{test_id} calls {door.__qualname__} without the integration marker")
            raise UnmarkedIntegration(knocked[-1])
        return door(*args, **kwargs)

    return guarded


def _called_from(test_file: str) -> bool:
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename == test_file:
            return True
        frame = frame.f_back
    return False
