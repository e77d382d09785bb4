"""A byte flipped on the store's disk is found by the verify function and the `enforce` command."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from typer.testing import CliRunner

from api.app import build_store
from api.audit.trail import Actor
from api.cli import app as enforce
from api.evidence.integrity import verify_all
from mobile_contract.evidence import IntegrityOutcome
from storage import audit
from tests.api.evidence.conftest import payload, upload_single
from tests.api.evidence.corrupt import crc32c, flip_byte

SIZE = 256 * 1024
CLI = Actor.command_line()


@pytest.fixture
async def two_verified(client, inspector, declare):
    items = await declare(payload(SIZE), payload(SIZE))
    for item in items:
        await upload_single(client, inspector, item)
    return items


def corrupt(settings, item, *, keep_store_crc_valid: bool) -> None:
    marker = item.data[:41]  # "EVIDENCE-" and a fresh uuid: unique on the disk
    flip_byte(
        settings.data_dir.resolve() / "s3", marker, len(item.data), SIZE // 2, keep_store_crc_valid=keep_store_crc_valid
    )


def test_crc32c_matches_the_standard_check_value() -> None:
    assert crc32c(b"123456789") == 0xE3069283


async def test_verify_reports_exactly_the_item_whose_byte_was_flipped(
    client, pool, settings, inspector, department, two_verified
) -> None:
    tampered, intact = two_verified
    clean = await verify_all(pool, build_store(settings), by=CLI, department_id=department.id)
    assert (clean.checked, clean.failures) == (2, []), "before the flip every item checks out"

    corrupt(settings, tampered, keep_store_crc_valid=True)
    report = await verify_all(pool, build_store(settings), by=CLI, department_id=department.id)
    assert report.checked == 2
    assert [(str(f.evidence_id), f.check.outcome) for f in report.failures] == [
        (tampered.id, IntegrityOutcome.MISMATCH)
    ]
    read = (await client.get(tampered.path, headers=inspector.headers)).json()
    assert [c["outcome"] for c in read["integrity"]] == ["mismatch", "ok", "ok"]
    assert read["status"] == "verified", "a check records history; it does not rewrite the upload's verdict"
    async with pool.acquire() as conn:
        trail = await audit.list_for_entity(conn, entity_type="evidence", entity_id=intact.id)
    assert [e.action for e in trail if e.action == "evidence.verify"] == ["evidence.verify"] * 2
    assert trail[-1].actor_role == "cli" and trail[-1].actor_id is None


async def test_the_enforce_command_lists_failures_and_exits_1(settings, department, two_verified) -> None:
    tampered, intact = two_verified
    corrupt(settings, tampered, keep_store_crc_valid=True)
    failing = await run_enforce(settings, "evidence", "verify", "--department", department.code)
    assert failing.exit_code == 1, failing.output
    assert tampered.id in failing.output and intact.id not in failing.output
    assert "mismatch" in failing.output and "checked 2 verified items, 1 failed" in failing.output
    by_record = await run_enforce(settings, "evidence", "verify", "--record", intact.record_id)
    assert by_record.exit_code == 1 and tampered.id in by_record.output, "the record holds the tampered item too"
    unknown = await run_enforce(settings, "evidence", "verify", "--record", str(uuid.uuid4()))
    assert (unknown.exit_code, "checked 0 verified items, 0 failed" in unknown.output) == (0, True)


@pytest.mark.slow
async def test_a_flip_the_store_itself_notices_is_reported_too(pool, settings, department, two_verified) -> None:
    """SeaweedFS checks each needle's CRC on read and refuses (after ~13 s of internal retries)."""
    tampered, _ = two_verified
    corrupt(settings, tampered, keep_store_crc_valid=False)
    report = await verify_all(pool, build_store(settings), by=CLI, department_id=department.id)
    assert [str(f.evidence_id) for f in report.failures] == [tampered.id]
    assert report.failures[0].check.outcome in {IntegrityOutcome.UNREADABLE, IntegrityOutcome.MISMATCH}


async def run_enforce(settings, *args: str):
    """Run the `enforce` command as an operator would, against the test servers (in a thread: it runs its own loop)."""
    s3 = settings.object_store
    env = {
        "DATABASE_URL": settings.database.url,
        "S3_ENDPOINT": s3.endpoint,
        "S3_ACCESS_KEY": s3.access_key,
        "S3_SECRET_KEY": s3.secret_key,
        "S3_BUCKET": s3.bucket,
        "JWT_SECRET": settings.auth.jwt_secret,
        "COLUMNS": "250",
    }
    return await asyncio.to_thread(CliRunner().invoke, enforce, list(args), env=env)
