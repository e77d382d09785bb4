"""The marker rule (tests/markers.py): a test without ``integration`` reaches no server and no browser."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest
import uvicorn
from playwright.async_api import BrowserType

from api.app import create_app
from storage import embedded
from storage.objects import connect
from tests.api.serving import Served
from tests.markers import SERVER_FIXTURES, UnmarkedIntegration


async def test_a_unit_test_cannot_connect_to_postgresql(server_knocks: list[str]) -> None:
    with pytest.raises(UnmarkedIntegration, match="test_a_unit_test_cannot_connect_to_postgresql"):
        await asyncpg.connect("postgresql://nobody@127.0.0.1:9/none")
    with pytest.raises(UnmarkedIntegration):
        await asyncpg.create_pool("postgresql://nobody@127.0.0.1:9/none")
    assert len(server_knocks) == 2  # and the test would fail at teardown, caught or not
    server_knocks.clear()


def test_a_unit_test_cannot_start_the_servers(tmp_path: Path, server_knocks: list[str]) -> None:
    with pytest.raises(UnmarkedIntegration):
        embedded.start_postgres(tmp_path)
    with pytest.raises(UnmarkedIntegration):
        embedded.start_s3(tmp_path)
    server_knocks.clear()


def test_a_unit_test_cannot_call_s3(server_knocks: list[str]) -> None:
    client = connect(endpoint="127.0.0.1:9", access_key="k", secret_key="s", secure=False, region="us-east-1")
    with pytest.raises(UnmarkedIntegration):
        client.bucket_exists("evidence")
    server_knocks.clear()


def test_a_unit_test_cannot_serve_the_api(tmp_path: Path, server_knocks: list[str]) -> None:
    with pytest.raises(UnmarkedIntegration):
        uvicorn.Server(uvicorn.Config(create_app, factory=True))
    with pytest.raises(UnmarkedIntegration):
        Served(tmp_path / "data")
    server_knocks.clear()


def test_a_unit_test_cannot_start_a_browser(server_knocks: list[str]) -> None:
    with pytest.raises(UnmarkedIntegration):
        BrowserType.launch(None)  # refused before the browser type is looked at
    server_knocks.clear()


def test_server_fixtures_mark_their_tests(request: pytest.FixtureRequest) -> None:
    unmarked = [
        f"{item.nodeid} lacks {marker}"
        for item in request.session.items
        for name in getattr(item, "fixturenames", ())
        for marker in SERVER_FIXTURES.get(name, ())
        if not item.get_closest_marker(marker)
    ]
    assert unmarked == []


def test_the_unit_run_leaves_out_browser_tests_and_the_full_size_suites(pytester: pytest.Pytester) -> None:
    markers = "".join(f"\n    {name}: {name}" for name in ("integration", "browser", "full", "bench"))
    pytester.makeini(f"[pytest]\nasyncio_default_fixture_loop_scope = function\nmarkers ={markers}\n")
    pytester.makeconftest("from tests.markers import pytest_collection_modifyitems  # noqa: F401")
    pytester.makepyfile(
        "import pytest\n"
        "def test_unit(): pass\n"
        "@pytest.mark.browser\ndef test_page(): pass\n"
        "@pytest.mark.full\ndef test_full_size(): pass\n"
        "@pytest.mark.bench\ndef test_bench(): pass\n"
    )
    pytester.runpytest_inprocess("-m", "not integration", "-p", "no:cacheprovider").assert_outcomes(
        passed=1, deselected=3
    )
    pytester.runpytest_inprocess("-m", "full", "-p", "no:cacheprovider").assert_outcomes(passed=1, deselected=3)
