"""The API process killed outright (SIGKILL) mid-push and mid-finalise, then started again.

The push is one request of the size's operations (1 000 at full size: a device's whole queue).
The kill lands inside the request's transaction: as soon as PostgreSQL shows it holding a
transaction id (it has written and not committed), plus a moment for the finalise. The device
keeps sending the same request until it is answered.
"""

from __future__ import annotations

import concurrent.futures
import os
import time

import pytest

from tests.faults.examine import Tally, examine
from tests.faults.field import a_device, field_queue
from tests.faults.handheld import evidence_item
from tests.faults.installation import Installation

pytestmark = [pytest.mark.integration, pytest.mark.faults]


def test_a_push_cut_by_sigkill_is_sent_again_and_applied_once(installation: Installation, size, report) -> None:
    device = a_device(installation)
    field_queue(device, size.operations)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pushing = pool.submit(device.push)
        waited = installation.kill_inside_a_write()
        held_at_kill = installation.query(
            lambda conn: conn.fetchval("SELECT count(*) FROM records WHERE created_by = $1", device.person.user_id)
        )
        back = time.monotonic()  # the fault ends as the process is started again; recovery includes its start
        installation.served.restart()
        pushing.result(timeout=600)
    tally = examine(
        installation,
        device,
        "API SIGKILL mid-push",
        size.name,
        recover_s=device.first_answer_after(back),
        note=f"killed {waited:.2f} s after the push went out, inside its transaction ({held_at_kill} "
        f"records committed); {len(device.exchanges)} requests",
    )
    device.close()
    report.append(tally)
    assert (tally.sent, tally.duplicated, tally.lost) == (size.operations, 0, 0), tally
    assert device.queue == []


def test_a_finalise_cut_by_sigkill_verifies_once(installation: Installation, size, report) -> None:
    device = a_device(installation)
    data = os.urandom(size.evidence_mib * 1024**2)
    item = evidence_item(data, device.person.device_id)
    device.make_record(evidence=[item])
    device.push()
    path = f"/evidence/{item['id']}"
    ticket = device.until_answered("POST", f"{path}/upload", json={"multipart": True}).json()
    assert device._put_parts(path, ticket, data)
    hashing_s = len(data) / 150e6  # about what assembling, reading and hashing the object back costs here
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        finalising = pool.submit(device.until_answered, "POST", f"{path}/finalize")
        installation.kill_inside_a_write(after_s=hashing_s / 2)
        back = time.monotonic()
        installation.served.restart()
        answer = finalising.result(timeout=600)
    assert answer.status_code == 200, answer.text
    verified = answer.json()
    checks, versions = installation.query(lambda conn: _evidence_trace(conn, item["id"]))
    stored = int(verified["status"] == "verified" and verified["declaration"]["sha256"] == item["sha256"])
    tally = Tally(
        "API SIGKILL mid-finalise",
        size.name,
        sent=1,
        stored=stored,
        duplicated=checks - 1 + versions - 1,
        lost=1 - stored,
        recover_s=device.first_answer_after(back),
        note=f"{size.evidence_mib} MiB in {ticket['part_count']} parts; {checks} finalise check, "
        f"{versions} object version",
    )
    device.close()
    report.append(tally)
    assert (tally.stored, tally.duplicated, tally.lost) == (1, 0, 0), tally


async def _evidence_trace(conn, evidence_id: str) -> tuple[int, int]:
    """Finalise checks recorded for the item, and S3 versions its verified object key had when verified."""
    checks = await conn.fetchval(
        "SELECT count(*) FROM evidence_integrity_checks WHERE evidence_id = $1 AND trigger = 'finalize'", evidence_id
    )
    versions = await conn.fetchval(
        "SELECT count(DISTINCT version_id) FROM evidence_integrity_checks WHERE evidence_id = $1", evidence_id
    )
    return checks, versions
