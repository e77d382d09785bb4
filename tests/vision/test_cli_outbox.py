"""``vision outbox show`` and ``vision outbox resend`` against a real local HTTP server standing in for the API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.vision.events.alert_server import TOKEN, AlertServer
from tests.vision.events.test_outbox import new_id, upsert
from vision.cli import app
from vision.events.outbox import Outbox

WIDE = {"COLUMNS": "400"}  # rich wraps messages at the terminal width; keep each on one line


@pytest.fixture
def server() -> Iterator[AlertServer]:
    server = AlertServer()
    yield server
    server.stop()


def node_config(tmp_path: Path, server: AlertServer) -> Path:
    path = tmp_path / "node.json"
    detector = {"backend": "pytorch", "weights": "unused.pt"}
    path.write_text(json.dumps({"detector": detector, "api": {"url": server.url}, "outbox": {"dir": str(tmp_path)}}))
    return path


def test_show_lists_waiting_and_refused_revisions_with_the_answer(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path)
    waiting, refused = new_id(), new_id()
    outbox.put(upsert(refused, 1))
    outbox.reject(outbox.pending()[0], "API answered 404: camera not registered")
    outbox.put(upsert(waiting, 1))
    result = CliRunner().invoke(app, ["outbox", "show", "--dir", str(tmp_path)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "waiting in" in result.output and str(waiting) in result.output
    assert str(refused) in result.output and "camera not registered" in result.output


def test_resend_delivers_the_chosen_refused_alert_once(tmp_path: Path, server: AlertServer) -> None:
    outbox = Outbox(tmp_path)
    fixed, other = new_id(), new_id()
    for alert_id in (fixed, other):
        outbox.put(upsert(alert_id, 1))
        outbox.reject(outbox.pending()[0], "API answered 404")
    config = node_config(tmp_path, server)
    result = CliRunner().invoke(
        app, ["outbox", "resend", str(fixed), "--config", str(config)], env={"VISION_API_TOKEN": TOKEN}
    )
    assert result.exit_code == 0, result.output
    assert server.arrivals == [(fixed, 1)]
    assert [r.alert_id for r in outbox.rejected_revisions()] == [other]
    assert "still refused: 1" in result.output


def test_resend_refuses_what_is_not_an_alert_id(tmp_path: Path, server: AlertServer) -> None:
    config = str(node_config(tmp_path, server))
    result = CliRunner().invoke(app, ["outbox", "resend", "not-a-uuid", "--config", config], env=WIDE)
    assert result.exit_code == 2 and "not an alert id" in result.output


def test_show_needs_an_outbox(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["outbox", "show", "--dir", str(tmp_path / "missing")], env=WIDE)
    assert result.exit_code == 2 and "is not an outbox folder" in result.output


def test_resend_without_delivering_only_queues(tmp_path: Path, server: AlertServer) -> None:
    outbox = Outbox(tmp_path)
    alert_id = new_id()
    outbox.put(upsert(alert_id, 1))
    outbox.reject(outbox.pending()[0], "API answered 404")
    config = str(node_config(tmp_path, server))
    result = CliRunner().invoke(app, ["outbox", "resend", "--no-deliver", "--config", config])
    assert result.exit_code == 0, result.output
    assert [(p.alert_id, p.revision) for p in outbox.pending()] == [(alert_id, 1)] and server.arrivals == []
