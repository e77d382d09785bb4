"""The marker rule (tests/markers.py): a test without ``integration`` cannot reach PostgreSQL or S3."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from storage import embedded
from storage.objects import connect
from tests.markers import SERVER_FIXTURE, UnmarkedIntegration


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


def test_server_fixtures_mark_their_tests(request: pytest.FixtureRequest) -> None:
    unmarked = [
        item.nodeid
        for item in request.session.items
        if SERVER_FIXTURE in getattr(item, "fixturenames", ()) and not item.get_closest_marker("integration")
    ]
    assert unmarked == []
