"""The upload protocol end to end on real PostgreSQL and S3: a device declares, uploads, finalises."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest
from minio.error import S3Error

from api.app import build_store
from tests.api.evidence.conftest import MiB, chunks, device_put, object_key, payload, sha256, upload_single
from tests.factories import evidence_item, record_create

PART = 5 * MiB  # S3's smallest part (all but the last)


async def test_single_put_then_finalise_verifies_and_completes_the_record(client, inspector, declare) -> None:
    [item] = await declare(payload(64 * 1024))
    ticket = (await client.post(f"{item.path}/upload", json={}, headers=inspector.headers)).json()
    assert ticket["mode"] == "single" and ticket["sha256"] == sha256(item.data)
    assert set(ticket["put"]["headers"]) == {"x-amz-checksum-sha256"}
    assert (await device_put(ticket["put"], item.data)).status_code == 200

    finalised = (await client.post(f"{item.path}/finalize", headers=inspector.headers)).json()
    assert finalised["status"] == "verified" and finalised["version_id"] and finalised["verified_at"]
    assert [(c["trigger"], c["outcome"]) for c in finalised["integrity"]] == [("finalize", "ok")]
    record = (await client.get(f"/records/{item.record_id}", headers=inspector.headers)).json()
    assert record["complete"] is True and record["evidence"]["missing"] == []


async def test_wrong_bytes_are_refused_by_s3_and_never_verified(client, inspector, declare) -> None:
    [item] = await declare(payload(64 * 1024))
    ticket = (await client.post(f"{item.path}/upload", json={}, headers=inspector.headers)).json()
    tampered = item.data[:-1] + bytes([item.data[-1] ^ 1])
    refused = await device_put(ticket["put"], tampered)
    assert refused.status_code == 400 and "BadDigest" in refused.text

    answer = await client.post(f"{item.path}/finalize", headers=inspector.headers)
    assert answer.status_code == 409 and answer.json()["code"] == "evidence-not-uploaded"
    state = (await client.get(item.path, headers=inspector.headers)).json()
    assert state["status"] == "declared" and state["verified_at"] is None and state["integrity"] == []
    record = (await client.get(f"/records/{item.record_id}", headers=inspector.headers)).json()
    assert record["complete"] is False and record["evidence"]["missing"] == [item.id]


async def test_finalising_twice_is_one_verification_and_a_new_ticket_is_refused(client, inspector, declare) -> None:
    [item] = await declare(payload(1024))
    first = await upload_single(client, inspector, item)
    again = await client.post(f"{item.path}/finalize", headers=inspector.headers)
    assert again.status_code == 200 and again.json() == first
    ticket = await client.post(f"{item.path}/upload", json={}, headers=inspector.headers)
    assert ticket.status_code == 409 and ticket.json()["code"] == "evidence-already-verified"


async def test_multipart_upload_resumes_after_an_interruption_and_verifies(
    client, pool, settings, inspector, declare
) -> None:
    [item] = await declare(payload(11 * MiB - 41), media_type="video/mp4")
    parts = chunks(item.data, PART)
    ask = {"multipart": True, "part_size": PART}
    ticket = (await client.post(f"{item.path}/upload", json=ask, headers=inspector.headers)).json()
    assert (ticket["mode"], ticket["part_count"], ticket["status"]) == ("multipart", 3, "uploading")
    urls = await part_urls(client, inspector, item.path, {1: parts[0], 2: parts[1], 3: parts[2]})
    assert (await device_put(urls[1], parts[0])).status_code == 200
    # The connection drops here. Later the device asks again and resumes the same upload.
    resumed = (await client.post(f"{item.path}/upload", json={}, headers=inspector.headers)).json()
    assert resumed["upload_id"] == ticket["upload_id"]
    progress = (await client.get(f"{item.path}/upload/parts", headers=inspector.headers)).json()
    assert [p["part_number"] for p in progress["uploaded"]] == [1] and progress["missing"] == [2, 3]
    early = await client.post(f"{item.path}/finalize", headers=inspector.headers)
    assert early.status_code == 409 and early.json()["extra"]["missing"] == [2, 3]

    urls = await part_urls(client, inspector, item.path, {n: parts[n - 1] for n in progress["missing"]})
    for n, url in urls.items():
        assert (await device_put(url, parts[n - 1])).status_code == 200
    finalised = (await client.post(f"{item.path}/finalize", headers=inspector.headers)).json()
    assert finalised["status"] == "verified", finalised
    assert finalised["integrity"][0]["actual_sha256"] == sha256(item.data)
    uploads = await pool.fetch("SELECT outcome FROM evidence_uploads WHERE evidence_id = $1", uuid.UUID(item.id))
    assert [u["outcome"] for u in uploads] == ["completed"], "one upload, never a second"
    store = build_store(settings)
    with pytest.raises(S3Error) as refused:  # the store's own keys cannot delete the verified version
        store.client.remove_object(store.bucket, await object_key(pool, item), version_id=finalised["version_id"])
    assert refused.value.code == "AccessDenied"


async def test_concurrent_asks_for_a_ticket_open_one_multipart_upload(client, pool, inspector, declare) -> None:
    [item] = await declare(payload(6 * MiB))
    ask = {"multipart": True, "part_size": PART}
    answers = await asyncio.gather(
        *(client.post(f"{item.path}/upload", json=ask, headers=inspector.headers) for _ in range(5))
    )
    assert len({a.json()["upload_id"] for a in answers}) == 1
    count = await pool.fetchval("SELECT count(*) FROM evidence_uploads WHERE evidence_id = $1", uuid.UUID(item.id))
    assert count == 1


async def test_multipart_whose_bytes_differ_from_the_declared_hash_fails_with_the_reason(
    client, inspector, declare
) -> None:
    [item] = await declare(payload(6 * MiB))
    other = os.urandom(len(item.data))  # each part's own hash is right: S3 accepts every part
    await client.post(f"{item.path}/upload", json={"multipart": True, "part_size": PART}, headers=inspector.headers)
    urls = await part_urls(client, inspector, item.path, dict(enumerate(chunks(other, PART), 1)))
    for n, url in urls.items():
        assert (await device_put(url, chunks(other, PART)[n - 1])).status_code == 200

    finalised = (await client.post(f"{item.path}/finalize", headers=inspector.headers)).json()
    assert finalised["status"] == "failed" and finalised["verified_at"] is None
    assert sha256(other) in finalised["failure_reason"]
    assert finalised["integrity"][0]["outcome"] == "mismatch"
    record = (await client.get(f"/records/{item.record_id}", headers=inspector.headers)).json()
    assert record["complete"] is False and record["evidence"]["failed"] == [item.id]
    download = await client.get(f"{item.path}/download", headers=inspector.headers)
    assert download.status_code == 409, "failed evidence is never served as evidence"


async def test_part_url_binds_the_parts_checksum_and_its_number_range(client, inspector, declare) -> None:
    [item] = await declare(payload(6 * MiB))
    await client.post(f"{item.path}/upload", json={"multipart": True, "part_size": PART}, headers=inspector.headers)
    first = chunks(item.data, PART)[0]
    urls = await part_urls(client, inspector, item.path, {1: first})
    assert (await device_put(urls[1], first[::-1])).status_code == 400
    beyond = {"parts": [{"part_number": 3, "sha256": sha256(first)}]}
    answer = await client.post(f"{item.path}/upload/parts", json=beyond, headers=inspector.headers)
    assert answer.status_code == 422


async def test_items_over_the_single_put_limit_always_use_parts(client, inspector, partner) -> None:
    big, _ = evidence_item(b"x")
    big["size"] = 200 * MiB  # declared only: nothing is uploaded in this test
    body = record_create(inspector, partner, evidence=[big])
    assert (await client.post("/records", json=body, headers=inspector.headers)).status_code == 201
    ticket = (await client.post(f"/evidence/{big['id']}/upload", json={}, headers=inspector.headers)).json()
    assert (ticket["mode"], ticket["part_size"], ticket["part_count"]) == ("multipart", 8 * MiB, 25)


async def part_urls(client, caller, path: str, parts: dict[int, bytes]) -> dict[int, dict]:
    body = {"parts": [{"part_number": n, "sha256": sha256(data)} for n, data in parts.items()]}
    answer = await client.post(f"{path}/upload/parts", json=body, headers=caller.headers)
    assert answer.status_code == 200, answer.text
    return {p["part_number"]: p["put"] for p in answer.json()["parts"]}


async def test_an_upload_s3_lost_is_reported_and_replaced_by_a_new_one(
    client, pool, settings, inspector, declare
) -> None:
    [item] = await declare(payload(6 * MiB))
    ask = {"multipart": True, "part_size": PART}
    first = (await client.post(f"{item.path}/upload", json=ask, headers=inspector.headers)).json()
    store = build_store(settings)  # as a lifecycle rule would: abort the incomplete upload
    store.client._abort_multipart_upload(store.bucket, await object_key(pool, item), first["upload_id"])

    progress = await client.get(f"{item.path}/upload/parts", headers=inspector.headers)
    assert progress.status_code == 409 and progress.json()["code"] == "upload-expired"
    second = (await client.post(f"{item.path}/upload", json=ask, headers=inspector.headers)).json()
    assert second["upload_id"] != first["upload_id"] and second["status"] == "uploading"
    rows = await pool.fetch(
        "SELECT upload_id, outcome FROM evidence_uploads WHERE evidence_id = $1 ORDER BY started_at", uuid.UUID(item.id)
    )
    assert [(r["upload_id"], r["outcome"]) for r in rows] == [
        (first["upload_id"], "expired"),
        (second["upload_id"], None),
    ]
