"""Revisions become AlertUpserts with their media; delivery racing ahead never strands a later revision."""

import datetime as dt
import zoneinfo
from pathlib import Path

import msgspec
import numpy as np

from mobile_contract.alerts import AlertKind, AlertUpsert
from mobile_contract.sites import DomainClass, ForbiddenZone
from tests.vision.groundtruth import IDENTITY
from tests.vision.helpers import at, camera, frame_of, site
from tests.vision.helpers import track as make_track
from vision.config import EvidenceConfig, RuleTuning
from vision.events import IncidentBook, Outbox, Publisher
from vision.events.evidence import caption, snapshot_jpeg
from vision.types import AlertCandidate, DwellFacts, IncidentKey

ZONE = ForbiddenZone(name="禁采区", polygon=[(0.5, 0.5), (1, 0.5), (1, 1), (0.5, 1)])


def candidate(second: float, track_ids: list[int]) -> AlertCandidate:
    tracks = [make_track(i, DomainClass.EXCAVATOR, 0.7, 0.9) for i in track_ids]
    return AlertCandidate(
        key=IncidentKey("cam-1", AlertKind.FORBIDDEN_ZONE, ZONE.name),
        severity="critical",  # type: ignore[arg-type]
        at=at(second),
        summary="禁采区：挖掘机停留",
        facts=DwellFacts(ZONE.name, 60.0, ["excavator"]),
        tracks=tracks,
        material=",".join(map(str, track_ids)),
        since=at(second - 60),
    )


def test_revisions_carry_model_media_and_facts_even_after_delivery_cleared_the_outbox(tmp_path: Path) -> None:
    cam = camera(ZONE)
    outbox = Outbox(tmp_path)
    sent: list[AlertUpsert] = []
    publisher = Publisher(
        site(cam), cam, outbox=outbox, model=IDENTITY, evidence=EvidenceConfig(), listeners=[sent.append]
    )
    book = IncidentBook(RuleTuning())
    image = np.full((360, 640, 3), 90, np.uint8)
    (opened,) = book.observe([candidate(60, [1])], at(60))
    publisher.publish(opened, frame_of(image, 60))
    for pending in outbox.pending():
        outbox.done(pending)  # delivered at once: its snapshot left the outbox
    clip = publisher.clip_media(opened.incident, b"mp4 bytes")
    publisher.publish(book.attach(opened.incident, [clip], clip=True))
    (changed,) = book.observe([candidate(70, [1, 2])], at(70))
    publisher.publish(changed, frame_of(image, 70))
    assert [u.revision for u in sent] == [1, 2, 3]
    last = msgspec.json.decode(outbox.pending()[-1].path.read_bytes(), type=AlertUpsert)
    assert [m.kind for m in last.media] == ["snapshot", "clip", "snapshot"]
    assert last.model == IDENTITY and last.started_at == at(0)
    assert last.detail["facts"]["zone"] == ZONE.name and [t["id"] for t in last.detail["tracks"]] == [1, 2]
    assert all(m.object_key.startswith(f"alerts/site-1/cam-1/{last.id}/") for m in last.media)
    for media in last.media:
        assert outbox.media_bytes(last.id, media.sha256)  # every file the last revision needs is there


def test_the_snapshot_says_when_in_the_sites_time_and_draws_in_chinese() -> None:
    cam = camera(ZONE)
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    frame = frame_of(np.full((360, 640, 3), 90, np.uint8), 60)
    in_utc = msgspec.structs.replace(frame, at=frame.at.astimezone(dt.UTC))  # as a camera's clock may give it
    assert "2025-06-02 10:01:00.000+08:00" in caption(in_utc, cam, shanghai)
    assert "2025-06-02 02:01:00.000+00:00" in caption(in_utc, cam, dt.UTC)
    plain = snapshot_jpeg(frame, candidate(60, []), cam, width=640, quality=90, zone=shanghai)
    labelled = snapshot_jpeg(frame, candidate(60, [1]), cam, width=640, quality=90, zone=shanghai)
    assert plain != labelled  # the box and its label 「#1 挖掘机 0.90」 (drawn in Noto Sans SC)
