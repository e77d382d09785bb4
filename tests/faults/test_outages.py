"""PostgreSQL stopped during pushes, S3 stopped during uploads and finalise.

While a service is down every API request that needs it must fail fast with a 503 problem
document (``database-unavailable``, ``object-store-unavailable``) and ``Retry-After`` — never hang
past ``FAIL_FAST_S`` — and once it is back the device's retries must go through, with everything
it made stored once.
"""

from __future__ import annotations

import concurrent.futures
import os
import threading
import time

import pytest

from tests.faults import outages
from tests.faults.examine import Tally, examine
from tests.faults.field import a_device, field_queue
from tests.faults.handheld import Exchange, Handheld, evidence_item
from tests.faults.installation import Installation

pytestmark = [pytest.mark.integration, pytest.mark.faults]
FAIL_FAST_S = 5.0  # a refusal during an outage comes within this (the connect time-outs are 2 s)
PUSH_BATCH = 10


def refusals(device: Handheld, start: float, end: float, *, api: bool = True) -> list[Exchange]:
    return [e for e in device.failures_between(start, end) if (e.path != "s3") == api]


def until(condition, timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "the device made no progress"
        time.sleep(0.05)


def test_pushes_through_a_database_outage(installation: Installation, size, report) -> None:
    device = a_device(installation)
    field_queue(device, size.operations)
    pushes = size.operations // PUSH_BATCH
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pushing = pool.submit(device.push, PUSH_BATCH, pace_s=(size.database_down_s + 4) / pushes)
        until(lambda: len(device.queue) <= size.operations - 2 * PUSH_BATCH)
        down = time.monotonic()
        socket_dir = outages.stop_postgres(installation.served)
        time.sleep(size.database_down_s)
        outages.start_postgres(installation.served, socket_dir)
        up = time.monotonic()
        pushing.result(timeout=600)
    failed = refusals(device, down, up)
    tally = examine(
        installation,
        device,
        "PostgreSQL stopped during pushes",
        size.name,
        recover_s=device.first_answer_after(up),
        note=_refusal_note(failed, up - down),
    )
    device.close()
    report.append(tally)
    assert (tally.sent, tally.duplicated, tally.lost) == (size.operations, 0, 0), tally
    assert failed, "the outage was not noticed: the pushes did not span it"
    assert {(e.status, e.code) for e in failed} == {(503, "database-unavailable")}, installation.unhandled_errors()
    assert max(e.seconds for e in failed) < FAIL_FAST_S


def test_uploads_and_finalise_through_a_store_outage(installation: Installation, size, report) -> None:
    device = a_device(installation)
    payloads = [os.urandom(256 * 1024) for _ in range(size.uploads)]
    payloads[3] = os.urandom(12 * 1024**2)  # one multipart item, whose ticket needs the store
    items = [evidence_item(data, device.person.device_id) for data in payloads]
    device.make_record(evidence=items)
    device.push()
    verified, down, up = _upload_through_a_store_outage(installation, device, items, payloads, size.store_down_s)
    failed, unreachable = refusals(device, down, up), refusals(device, down, up, api=False)
    checks = installation.query(lambda conn: _finalise_checks(conn, [i["id"] for i in items]))
    tally = Tally(
        "S3 stopped during uploads and finalise",
        size.name,
        sent=len(items),
        stored=len(verified),
        duplicated=checks - len(items),
        lost=len(items) - len(verified),
        recover_s=device.first_answer_after(up),
        note=f"{_refusal_note(failed, up - down)}; {len(unreachable)} PUTs to S3 unanswered",
    )
    device.close()
    report.append(tally)
    assert (tally.stored, tally.duplicated, tally.lost) == (len(items), 0, 0), tally
    assert failed, "the outage was not noticed: the uploads did not span it"
    assert {(e.status, e.code) for e in failed} == {(503, "object-store-unavailable")}, installation.unhandled_errors()
    assert max(e.seconds for e in failed) < FAIL_FAST_S


def _upload_through_a_store_outage(
    installation: Installation, device: Handheld, items: list[dict], payloads: list[bytes], down_s: float
) -> tuple[list[str], float, float]:
    """Upload every item; S3 stops once the third item's bytes are in, before its finalise, for ``down_s``.
    Returns the ids verified, and when the store went down and came back."""
    verified: list[str] = []
    bytes_in, outage_on = threading.Event(), threading.Event()

    def at_third_item() -> None:
        if len(verified) == 2:  # its bytes are in S3; the store goes before it is finalised
            bytes_in.set()
            outage_on.wait(60)

    def upload_all() -> None:
        for item, data in zip(items, payloads, strict=True):
            device.upload(item["id"], data, multipart=len(data) > 1024**2, before_finalise=at_third_item)
            verified.append(item["id"])

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        uploading = pool.submit(upload_all)
        assert bytes_in.wait(300)
        down = time.monotonic()
        outages.stop_s3(installation.served, installation.s3)
        outage_on.set()
        time.sleep(down_s)
        installation.s3 = outages.start_s3(installation.served)
        up = time.monotonic()
        uploading.result(timeout=600)
    return verified, down, up


def _refusal_note(failed: list[Exchange], down_s: float) -> str:
    slowest = max((e.seconds for e in failed), default=0.0)
    return f"down {down_s:.0f} s: {len(failed)} requests refused, slowest refusal {slowest:.3f} s"


async def _finalise_checks(conn, evidence_ids: list[str]) -> int:
    return await conn.fetchval(
        "SELECT count(*) FROM evidence_integrity_checks WHERE evidence_id = ANY($1::uuid[]) AND trigger = 'finalize'",
        evidence_ids,
    )
