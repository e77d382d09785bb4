"""The markers say the truth: ``pytest -m "not integration"`` is a unit run, with no server and no browser.

``integration`` marks a test that starts or reaches a server: the embedded PostgreSQL or S3, the API
behind uvicorn or as ``enforce serve``, or a browser (``browser`` implies ``integration``). A test gets
the markers from its fixtures: everything on the embedded servers hangs from ``settings``, which starts
them, and Chromium from ``browser``. A test that reaches a server some other way (starting its own,
connecting with a DSN, calling S3, serving the app) must be marked by hand; if it is not, the call is
refused and the test fails.

``full`` and ``bench`` tests run only when ``-m`` names them: a ``-m`` on the command line replaces
the one in ``addopts``, and ``pytest -m "not integration"`` must not start the full-size suites.

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
import uvicorn
from playwright.async_api import BrowserType

from storage import embedded
from storage.embedded import postgres, s3
from tests.api.serving import Served

# Fixtures that start servers, and the markers they give their tests: ``settings`` starts the embedded
# PostgreSQL and S3 (every fixture on them depends on it), ``browser`` starts Chromium.
SERVER_FIXTURES = {"settings": ("integration",), "browser": ("browser", "integration")}
ONLY_WHEN_NAMED = ("full", "bench")  # run only when ``-m`` names them
# Where a test could reach a server without the fixtures: (owner, attribute) pairs.
SERVER_DOORS: tuple[tuple[Any, str], ...] = (
    (asyncpg, "connect"),
    (asyncpg, "create_pool"),
    (minio.Minio, "_url_open"),
    (embedded, "start_postgres"),
    (embedded, "start_s3"),
    (postgres, "start_postgres"),
    (s3, "start_s3"),
    (uvicorn.Server, "__init__"),  # the app behind uvicorn, in a thread or a process
    (Served, "_start"),  # ``enforce serve`` as a process
    (BrowserType, "launch"),
)


class UnmarkedIntegration(RuntimeError):
    """A test without the ``integration`` marker reached a server or a browser."""


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for marker in implied_markers(item):
            item.add_marker(marker)
    named = config.option.markexpr or ""
    skipped = {item for item in items if any(m not in named and item.get_closest_marker(m) for m in ONLY_WHEN_NAMED)}
    if skipped:
        config.hook.pytest_deselected(items=list(skipped))
        items[:] = [item for item in items if item not in skipped]


def implied_markers(item: pytest.Item) -> set[str]:
    """The markers a test's server fixtures give it; a browser test is an integration test too."""
    implied = {m for name in getattr(item, "fixturenames", ()) for m in SERVER_FIXTURES.get(name, ())}
    if item.get_closest_marker("browser"):
        implied.add("integration")
    return {m for m in implied if not item.get_closest_marker(m)}


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
