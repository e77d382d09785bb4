"""``enforce backup create --out DIR`` and ``enforce backup restore --from DIR`` (docs/operations.md).

A backup folder holds ``database.dump`` (``pg_dump``, custom format), ``objects/`` and
``objects.jsonl`` (every version of the evidence bucket: evidence, alert media, audit
checkpoints), ``keys/`` in embedded mode (the data folder's JWT, audit-checkpoint and
complaint-identity keys and document signing keys: without the audit key the checkpoints cannot
be checked, without the identity key no whistleblower can be read again) and ``backup.json``.
It is as secret as the installation: keep it encrypted and owner-only.

Restore goes into a fresh installation only (an empty database and bucket): the database, then
the object versions, then the evidence rows are pointed at the versions their objects became
(S3 assigns new version ids), each move audited as ``evidence.restored``. ``enforce audit
verify`` and ``enforce evidence verify`` then check the result.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Annotated

import msgspec
import typer

from api.backup import service
from api.runtime import resolved
from api.settings import load_settings
from storage.backup import database, versions

cli = typer.Typer(name="backup", help="备份与恢复 / backup and restore", no_args_is_help=True)
DUMP = "database.dump"
SUMMARY = "backup.json"
KEY_FILES = ("jwt_secret", "audit_signing_key", "complaint_identity_key", "signing")


@cli.command()
def create(out: Annotated[Path, typer.Option("--out", help="新建的备份目录 / a new folder for the backup")]) -> None:
    """备份数据库与证据桶的全部对象版本 / back up the database and every object version of the evidence bucket."""
    out.mkdir(parents=True, exist_ok=False, mode=0o700)
    settings = load_settings()
    with resolved(settings) as ready:
        assert ready.database.url is not None
        service.note_backup(ready, out)
        database.dump(ready.database.url, out / DUMP)
        kept = versions.export_versions(service.s3_client(ready), ready.object_store.bucket, out)
    keys = _copy_keys(settings.data_dir, out / "keys") if settings.embedded else []
    summary = service.Summary(
        created_at=dt.datetime.now(dt.UTC),
        objects=len(kept),
        bytes=sum(k.size for k in kept),
        database_sha256=versions.sha256_of(out / DUMP),
        keys=keys,
    )
    (out / SUMMARY).write_bytes(msgspec.json.format(msgspec.json.encode(summary)))
    typer.echo(f"backup in {out}: database, {summary.objects} object versions ({summary.bytes} bytes), keys {keys}")


@cli.command()
def restore(source: Annotated[Path, typer.Option("--from", help="备份目录 / the backup folder")]) -> None:
    """恢复到全新的安装 / restore into a fresh installation (empty database and bucket)."""
    summary = msgspec.json.decode((source / SUMMARY).read_bytes(), type=service.Summary)
    settings = load_settings()
    if settings.embedded:
        _restore_keys(source / "keys", settings.data_dir, summary.keys)
    with resolved(settings) as ready:
        assert ready.database.url is not None
        service.require_empty(ready.database.url)
        database.restore(ready.database.url, source / DUMP)
        moved = service.restore_objects(ready, source)
        repointed = service.repoint_evidence(ready, moved, source.name)
    typer.echo(f"restored {len(moved)} object versions; {repointed} evidence items point at their restored versions")


def _copy_keys(data_dir: Path, out: Path) -> list[str]:
    out.mkdir(mode=0o700)
    found = [name for name in KEY_FILES if (data_dir / name).exists()]
    for name in found:
        source = data_dir / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, out / name)
    return found


def _restore_keys(keys: Path, data_dir: Path, names: list[str]) -> None:
    """The backup's keys into a fresh data folder; a different key already there stops the restore."""
    data_dir.mkdir(parents=True, exist_ok=True)
    for name in names:
        target = data_dir / name
        if target.exists():
            raise typer.BadParameter(f"{target} exists: restore into a fresh data folder", param_hint="--from")
        (shutil.copytree if (keys / name).is_dir() else shutil.copy2)(keys / name, target)
