import datetime as dt
import uuid
from pathlib import Path

import pytest
import uuid_utils

from mobile_contract.alerts import AlertKind, AlertMedia, AlertUpsert, Severity
from vision.events.outbox import Outbox

NOW = dt.datetime(2025, 6, 2, 10, 0, tzinfo=dt.UTC)


def upsert(alert_id: uuid.UUID, revision: int, media: list[AlertMedia] | None = None) -> AlertUpsert:
    return AlertUpsert(
        id=alert_id,
        revision=revision,
        site_id="site-1",
        camera_id="cam-1",
        kind=AlertKind.FORBIDDEN_ZONE,
        severity=Severity.CRITICAL,
        started_at=NOW,
        last_seen_at=NOW,
        summary="禁采区内作业",
        media=media or [],
    )


def new_id() -> uuid.UUID:
    return uuid.UUID(str(uuid_utils.uuid7()))


def test_revisions_wait_in_alert_then_revision_order(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path)
    first, second = new_id(), new_id()
    for alert_id, revision in [(second, 1), (first, 2), (first, 1), (second, 2)]:
        outbox.put(upsert(alert_id, revision))
    assert [(p.alert_id, p.revision) for p in outbox.pending()] == [(first, 1), (first, 2), (second, 1), (second, 2)]
    assert not list(tmp_path.rglob("*.tmp"))


def test_media_must_be_in_the_outbox_before_the_alert(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path)
    alert_id = new_id()
    media = AlertMedia(kind="snapshot", object_key="k", sha256="a" * 64, size=1, media_type="image/jpeg")
    with pytest.raises(FileNotFoundError):
        outbox.put(upsert(alert_id, 1, [media]))


def two_revisions_sharing_a_snapshot(outbox: Outbox) -> tuple[uuid.UUID, str]:
    """Revisions 1 and 2 of one alert, both referring to the same snapshot; returns (alert id, its SHA-256)."""
    alert_id = new_id()
    digest = outbox.put_media(alert_id, b"jpeg bytes")
    media = AlertMedia(kind="snapshot", object_key="k", sha256=digest, size=10, media_type="image/jpeg")
    outbox.put(upsert(alert_id, 1, [media]))
    outbox.put(upsert(alert_id, 2, [media]))
    return alert_id, digest


def test_media_leave_with_the_last_revision_that_needs_them(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path)
    alert_id, digest = two_revisions_sharing_a_snapshot(outbox)
    first, second = outbox.pending()
    outbox.done(first)
    assert outbox.media_bytes(alert_id, digest) == b"jpeg bytes"
    outbox.done(second)
    assert outbox.pending() == [] and not any(outbox.media.iterdir())


def test_refused_revisions_are_kept_aside_with_the_reason(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path)
    alert_id = new_id()
    outbox.put(upsert(alert_id, 1))
    outbox.reject(outbox.pending()[0], "409 alert-revision-conflict")
    assert outbox.pending() == []
    kept = list((tmp_path / "rejected" / str(alert_id)).iterdir())
    assert sorted(p.name for p in kept) == ["00000001.json", "00000001.reason.txt"]


def test_media_of_a_refused_revision_stay_while_later_revisions_are_delivered(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path)
    alert_id, digest = two_revisions_sharing_a_snapshot(outbox)
    first, second = outbox.pending()
    outbox.reject(first, "404 camera not registered")
    outbox.done(second)
    assert outbox.media_bytes(alert_id, digest) == b"jpeg bytes"  # revision 1 may still be resent


def test_requeue_puts_chosen_refused_revisions_back_without_their_reason(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path)
    fixed, other = new_id(), new_id()
    for alert_id in (fixed, other):
        outbox.put(upsert(alert_id, 1))
        outbox.reject(outbox.pending()[0], "404 camera not registered")
    assert [(r.alert_id, r.reason) for r in outbox.rejected_revisions()] == [
        (fixed, "404 camera not registered"),
        (other, "404 camera not registered"),
    ]
    moved = outbox.requeue({fixed})
    assert [(m.alert_id, m.revision) for m in moved] == [(fixed, 1)]
    assert [(p.alert_id, p.revision) for p in outbox.pending()] == [(fixed, 1)]
    assert [r.alert_id for r in outbox.rejected_revisions()] == [other]
    assert not (tmp_path / "rejected" / str(fixed)).exists()  # reason file and folder gone with it
    assert [r.alert_id for r in outbox.requeue()] == [other]
