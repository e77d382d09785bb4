"""Backup → restore into a fresh data folder → ``enforce audit verify`` and ``enforce evidence verify`` pass.

A served installation (its own embedded PostgreSQL and S3) gets records with evidence, a legal hold
and an audit checkpoint; ``enforce backup create`` copies it while it runs; ``enforce backup
restore`` rebuilds it in an empty data folder, where both verify commands are run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.serving import SERVICE_VARIABLES
from tests.faults.field import a_device
from tests.faults.handheld import evidence_item
from tests.faults.installation import Installation

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def enforce(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES} | {"ENFORCE_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args], env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture
def folder() -> Iterator[Path]:
    """Outside pytest's numbered temp folders, which a concurrent run on this shared machine prunes."""
    with tempfile.TemporaryDirectory(prefix="enforce-backup-") as made:
        yield Path(made)


def test_a_backup_restores_into_a_fresh_folder_where_both_verify_commands_pass(folder: Path) -> None:
    installation = Installation(folder / "old" / "var")
    try:
        device = a_device(installation)
        payloads = [os.urandom(300_000), os.urandom(7 * 1024**2)]
        items = [evidence_item(data, device.person.device_id) for data in payloads]
        device.make_record(evidence=items)
        device.make_record()
        device.push()
        for item, data in zip(items, payloads, strict=True):
            device.upload(item["id"], data, multipart=len(data) > 1024**2)
        hold = httpx.post(
            f"{installation.url}/evidence/{items[0]['id']}/legal-hold",
            headers=installation.admin,
            json={"enabled": True, "reason": "诉讼保全"},
            timeout=30,
        )
        assert hold.status_code == 200, hold.text
        device.close()
        installation.served.enforce("audit", "checkpoint")
        made = enforce(installation.data_dir, "backup", "create", "--out", str(folder / "backup"))
        assert made.returncode == 0, made.stdout + made.stderr
    finally:
        installation.close()

    fresh = folder / "new" / "var"
    restored = enforce(fresh, "backup", "restore", "--from", str(folder / "backup"))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "2 evidence items point at their restored versions" in restored.stdout, restored.stdout
    audit = enforce(fresh, "audit", "verify")
    evidence = enforce(fresh, "evidence", "verify")
    print(f"\n{made.stdout}{restored.stdout}{audit.stdout}{evidence.stdout}")
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "chain intact" in audit.stdout and "matches 0 checkpoints" not in audit.stdout, audit.stdout
    assert evidence.returncode == 0, evidence.stdout + evidence.stderr
    assert "checked 2 verified items, 0 failed" in evidence.stdout
