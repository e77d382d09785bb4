"""What backup and restore do besides copying: audit them, refuse a non-empty target, repoint evidence."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import asyncpg
import msgspec
from minio import Minio

from api.audit import trail
from api.audit.trail import Actor
from api.runtime import run_in_transaction
from api.settings import Settings
from storage import audit, evidence, objects
from storage.backup import versions
from storage.db import Connection


class Summary(msgspec.Struct, frozen=True):
    """``backup.json``: what the folder holds."""

    created_at: dt.datetime
    objects: int
    bytes: int
    database_sha256: str
    keys: list[str]


def s3_client(settings: Settings) -> Minio:
    s3 = settings.object_store
    assert s3.endpoint is not None
    return objects.connect(
        endpoint=s3.endpoint, access_key=s3.access_key, secret_key=s3.secret_key, secure=s3.secure, region=s3.region
    )


def note_backup(settings: Settings, out: Path) -> None:
    """Audit the backup before the dump (so the backup holds its own entry): it reads every evidence object."""
    entry = trail.entry(
        Actor.command_line(),
        action="backup.created",
        entity_type="installation",
        entity_id="backup",
        department_id=None,
        detail={"folder": str(out.resolve())},
    )
    run_in_transaction(settings, lambda conn: audit.append(conn, entry))


def require_empty(url: str) -> None:
    async def main() -> None:
        conn = await asyncpg.connect(url)
        try:
            if await conn.fetchval("SELECT to_regclass('audit_log') IS NOT NULL"):
                raise SystemExit("the database is not empty: restore only into a fresh installation")
        finally:
            await conn.close()

    asyncio.run(main())


def restore_objects(settings: Settings, folder: Path) -> dict[str, str]:
    from api.app import build_store  # the app module pulls in every domain; only this command needs it

    asyncio.run(build_store(settings).ensure_bucket())
    return versions.import_versions(s3_client(settings), settings.object_store.bucket, folder)


def repoint_evidence(settings: Settings, moved: dict[str, str], backup: str) -> int:
    """Evidence rows to the new version ids, one audit entry per item moved, and one for the restore."""

    async def work(conn: Connection) -> int:
        rows = await evidence.repoint_versions(conn, moved=moved)
        by = Actor.command_line()
        entries = [
            trail.entry(
                by,
                action="evidence.restored",
                entity_type="evidence",
                entity_id=str(row["id"]),
                department_id=row["department_id"],
                detail={"from_version_id": row["old"], "to_version_id": row["new"], "backup": backup},
            )
            for row in rows
        ]
        summary = {"backup": backup, "object_versions": len(moved)}
        entries.append(
            trail.entry(
                by,
                action="backup.restored",
                entity_type="installation",
                entity_id="backup",
                department_id=None,
                detail=summary,
            )
        )
        await audit.append_many(conn, entries)
        return len(rows)

    return run_in_transaction(settings, work)  # migrates first: a backup from an older release gets the newer ones
