import hashlib
import uuid

import asyncpg
import httpx
import pytest
from litestar.testing import AsyncTestClient

from mobile_contract.auth import Role
from storage import audit
from tests.api.alerts.conftest import Monitoring

SNAPSHOT = b"\xff\xd8\xff\xe0 snapshot with boxes " + bytes(range(256)) * 8


async def deliver(client: AsyncTestClient, monitoring: Monitoring, body: dict) -> dict:
    answer = await client.put(f"/alerts/{body['id']}", json=body, headers=monitoring.node.headers)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


async def test_an_object_whose_stored_checksum_matches_is_verified(
    client: AsyncTestClient, monitoring: Monitoring, put_evidence
) -> None:
    snapshot, clip = (
        put_evidence(SNAPSHOT, key=monitoring.media_key()),
        put_evidence(SNAPSHOT + b"clip", kind="clip", key=monitoring.media_key()),
    )
    receipt = await deliver(client, monitoring, monitoring.alert(media=[snapshot, clip]))
    assert [(m["object_key"], m["verification"], m["verified"]) for m in receipt["media"]] == [
        (snapshot["object_key"], "verified", True),
        (clip["object_key"], "verified", True),
    ]


async def test_a_missing_object_or_a_wrong_checksum_is_not_verified(
    client: AsyncTestClient, monitoring: Monitoring, put_evidence
) -> None:
    stored = put_evidence(SNAPSHOT, key=monitoring.media_key())
    missing = stored | {"object_key": stored["object_key"].replace(".jpg", "-never-stored.jpg")}
    mismatch = put_evidence(SNAPSHOT + b"x", key=monitoring.media_key()) | {
        "sha256": hashlib.sha256(b"other bytes").hexdigest()
    }
    wrong_size = put_evidence(SNAPSHOT + b"y", key=monitoring.media_key())
    wrong_size["size"] += 1
    unchecked = put_evidence(SNAPSHOT + b"z", checksum=False, key=monitoring.media_key())
    receipt = await deliver(client, monitoring, monitoring.alert(media=[missing, mismatch, wrong_size, unchecked]))
    assert {m["object_key"]: m["verification"] for m in receipt["media"]} == {
        missing["object_key"]: "missing",
        mismatch["object_key"]: "checksum_mismatch",
        wrong_size["object_key"]: "size_mismatch",
        unchecked["object_key"]: "checksum_unavailable",
    }
    assert not any(m["verified"] for m in receipt["media"])


async def test_a_later_revision_checks_unverified_media_again(
    client: AsyncTestClient, monitoring: Monitoring, put_evidence
) -> None:
    alert_id = uuid.uuid4()
    key = f"alerts/{monitoring.site_id}/{monitoring.camera_id}/{alert_id}/snapshot-r1.jpg"
    declared = {
        "kind": "snapshot",
        "object_key": key,
        "sha256": hashlib.sha256(SNAPSHOT).hexdigest(),
        "size": len(SNAPSHOT),
        "media_type": "image/jpeg",
    }
    first = await deliver(client, monitoring, monitoring.alert(alert_id, media=[declared]))
    assert first["media"][0]["verification"] == "missing"

    assert put_evidence(SNAPSHOT, key=key) == declared
    second = await deliver(client, monitoring, monitoring.alert(alert_id, revision=2, media=[declared]))
    assert [(m["verification"], m["revision"]) for m in second["media"]] == [("verified", 1)]


async def test_a_media_link_serves_the_object_and_is_audited_as_evidence_access(
    client: AsyncTestClient, monitoring: Monitoring, put_evidence, make_user, pool: asyncpg.Pool
) -> None:
    body = monitoring.alert(media=[put_evidence(SNAPSHOT, key=monitoring.media_key())])
    media_id = (await deliver(client, monitoring, body))["media"][0]["id"]
    inspector = await make_user(Role.INSPECTOR, monitoring.department)
    answer = await client.get(f"/alerts/{body['id']}/media/{media_id}/link", headers=inspector.headers)
    assert answer.status_code == 200
    link = answer.json()
    assert link["sha256"] == hashlib.sha256(SNAPSHOT).hexdigest()
    async with httpx.AsyncClient() as http:
        fetched = await http.get(link["url"])
    assert fetched.status_code == 200 and fetched.content == SNAPSHOT
    async with pool.acquire() as conn:
        entries = await audit.list_for_entity(conn, entity_type="alert_media", entity_id=f"{body['id']}/{media_id}")
    assert [(e.action, e.actor_id) for e in entries] == [("evidence.access", inspector.principal.user_id)]


async def test_another_departments_media_is_not_found(
    client: AsyncTestClient, monitoring: Monitoring, put_evidence, make_monitoring
) -> None:
    body = monitoring.alert(media=[put_evidence(SNAPSHOT, key=monitoring.media_key())])
    media_id = (await deliver(client, monitoring, body))["media"][0]["id"]
    stranger = (await make_monitoring()).operator
    answer = await client.get(f"/alerts/{body['id']}/media/{media_id}/link", headers=stranger.headers)
    assert answer.status_code == 404


async def test_unverified_media_gets_no_link(client: AsyncTestClient, monitoring: Monitoring, put_evidence) -> None:
    mismatch = put_evidence(SNAPSHOT, key=monitoring.media_key()) | {"sha256": hashlib.sha256(b"declared").hexdigest()}
    body = monitoring.alert(media=[mismatch])
    media_id = (await deliver(client, monitoring, body))["media"][0]["id"]
    answer = await client.get(f"/alerts/{body['id']}/media/{media_id}/link", headers=monitoring.operator.headers)
    assert answer.status_code == 409 and answer.json()["code"] == "media-not-verified"


@pytest.mark.parametrize(
    "key",
    [
        "evidence/{dept}/record/photo.jpg",  # a handheld's evidence
        "alerts/{site}/cam-other/x/snapshot.jpg",  # another camera of the site
        "alerts/other-site/{camera}/x/snapshot.jpg",
    ],
)
async def test_media_outside_the_cameras_own_prefix_is_refused_naming_the_item(
    client: AsyncTestClient, monitoring: Monitoring, put_evidence, key: str
) -> None:
    key = key.format(dept=monitoring.department.id, site=monitoring.site_id, camera=monitoring.camera_id)
    good, bad = put_evidence(SNAPSHOT, key=monitoring.media_key()), put_evidence(SNAPSHOT + b"elsewhere", key=key)
    body = monitoring.alert(media=[good, bad])
    answer = await client.put(f"/alerts/{body['id']}", json=body, headers=monitoring.node.headers)
    assert answer.status_code == 422, answer.text
    prefix = f"alerts/{monitoring.site_id}/{monitoring.camera_id}/"
    assert answer.json()["errors"] == [{"field": "media[1].object_key", "message": f"须以 {prefix} 开头"}]
    assert prefix in answer.json()["detail"]


async def test_a_key_climbing_out_of_the_prefix_is_refused(client: AsyncTestClient, monitoring: Monitoring) -> None:
    """S3 clients refuse ``..`` segments, but a node's declaration is only text: the API checks it too."""
    prefix = f"alerts/{monitoring.site_id}/{monitoring.camera_id}/"
    media = {
        "kind": "snapshot",
        "object_key": f"{prefix}../../other/x.jpg",
        "sha256": "0" * 64,
        "size": 1,
        "media_type": "image/jpeg",
    }
    body = monitoring.alert(media=[media])
    answer = await client.put(f"/alerts/{body['id']}", json=body, headers=monitoring.node.headers)
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "media[0].object_key"


async def test_each_medium_keeps_the_stream_it_came_from_and_its_picture_size(
    client: AsyncTestClient, monitoring: Monitoring, put_evidence
) -> None:
    """A sub-stream camera whose main stream was lost: the snapshot is the sub-stream's, the clip the main's."""
    snapshot = put_evidence(SNAPSHOT, key=monitoring.media_key()) | {"stream": "sub", "width": 352, "height": 288}
    clip = put_evidence(SNAPSHOT + b"clip", kind="clip", key=monitoring.media_key())
    clip |= {"stream": "main", "width": 1920, "height": 1080}
    unstated = put_evidence(SNAPSHOT + b"old node", key=monitoring.media_key())  # a node older than the field
    body = monitoring.alert(media=[snapshot, clip, unstated])
    receipt = await deliver(client, monitoring, body)
    assert [(m["stream"], m["width"], m["height"]) for m in receipt["media"]] == [
        ("sub", 352, 288),
        ("main", 1920, 1080),
        (None, None, None),
    ]
    detail = (await client.get(f"/alerts/{body['id']}", headers=monitoring.operator.headers)).json()
    assert [m["stream"] for m in detail["media"]] == ["sub", "main", None]
    assert "stream" not in detail["revisions"][0]["content"]["media"][2]  # as the node sent it
    assert (await deliver(client, monitoring, body))["outcome"] == "replayed"


async def test_a_stream_that_is_neither_main_nor_sub_is_refused_naming_the_field(
    client: AsyncTestClient, monitoring: Monitoring, put_evidence
) -> None:
    snapshot = put_evidence(SNAPSHOT, key=monitoring.media_key()) | {"stream": "third"}
    answer = await client.put(
        f"/alerts/{uuid.uuid4()}", json=monitoring.alert(media=[snapshot]), headers=monitoring.node.headers
    )
    assert answer.status_code in (400, 422), answer.text
    assert "media[0].stream" in answer.text
