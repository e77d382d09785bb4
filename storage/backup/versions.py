"""The evidence bucket's object versions in a backup folder (``objects/`` and ``objects.jsonl``).

Each version (oldest first within a key, so a restore makes the same one the latest) is kept with
its bytes, SHA-256, size, type, COMPLIANCE retention date and legal hold. Delete markers are not
kept: the bucket is under Object Lock and the product never deletes. Restoring puts each version
back with the same retention (when its date is still ahead) and legal hold, checks its SHA-256,
and answers which new version id each old one became.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path

import msgspec
from minio import Minio
from minio.commonconfig import COMPLIANCE
from minio.datatypes import Object
from minio.error import S3Error
from minio.retention import Retention

MANIFEST = "objects.jsonl"
FOLDER = "objects"
SINGLE_PUT_LIMIT = 5 * 1024**3  # S3's largest single PUT; larger versions go up in parts (no whole-object checksum)
CHUNK = 1024 * 1024


class KeptVersion(msgspec.Struct, frozen=True):
    """One object version as kept in a backup."""

    key: str
    version_id: str
    file: str  # under objects/
    size: int
    sha256: str
    content_type: str
    last_modified: dt.datetime
    retain_until: dt.datetime | None  # COMPLIANCE retention
    legal_hold: bool


def export_versions(client: Minio, bucket: str, out: Path) -> list[KeptVersion]:
    """Every version of every object into ``out``; returns (and writes) the manifest."""
    (out / FOLDER).mkdir(parents=True, exist_ok=True)
    kept = [_export(client, bucket, out, n, item) for n, item in enumerate(_versions(client, bucket))]
    (out / MANIFEST).write_bytes(b"".join(msgspec.json.encode(k) + b"\n" for k in kept))
    return kept


def _versions(client: Minio, bucket: str) -> Iterator[Object]:
    listed = [v for v in client.list_objects(bucket, recursive=True, include_version=True) if not v.is_delete_marker]
    return iter(sorted(listed, key=lambda v: (v.object_name, v.last_modified)))


def _export(client: Minio, bucket: str, out: Path, n: int, item: Object) -> KeptVersion:
    key, version, modified = item.object_name, item.version_id, item.last_modified
    assert key is not None and version is not None and modified is not None, "a version listing names each one"
    file = f"{n:08d}"
    path = out / FOLDER / file
    client.fget_object(bucket, key, str(path), version_id=version)
    stat = client.stat_object(bucket, key, version_id=version)
    return KeptVersion(
        key=key,
        version_id=version,
        file=file,
        size=stat.size or 0,
        sha256=sha256_of(path),
        content_type=stat.content_type or "application/octet-stream",
        last_modified=modified,
        retain_until=_retain_until(client, bucket, key, version),
        legal_hold=_legal_hold(client, bucket, key, version),
    )


def _legal_hold(client: Minio, bucket: str, key: str, version: str) -> bool:
    try:
        return client.is_object_legal_hold_enabled(bucket, key, version_id=version)
    except S3Error as exc:
        if exc.code == "NoSuchObjectLegalHold":  # never placed
            return False
        raise


def _retain_until(client: Minio, bucket: str, key: str, version: str) -> dt.datetime | None:
    try:
        retention = client.get_object_retention(bucket, key, version_id=version)
    except S3Error as exc:
        if exc.code in {"NoSuchObjectLockConfiguration", "ObjectLockConfigurationNotFoundError"}:
            return None
        raise
    return retention.retain_until_date if retention is not None else None


def read_manifest(folder: Path) -> list[KeptVersion]:
    lines = (folder / MANIFEST).read_bytes().splitlines()
    return [msgspec.json.decode(line, type=KeptVersion) for line in lines if line]


def import_versions(client: Minio, bucket: str, folder: Path) -> dict[str, str]:
    """Put every kept version back, in order; returns old version id → new version id."""
    moved = {}
    for kept in read_manifest(folder):
        path = folder / FOLDER / kept.file
        if sha256_of(path) != kept.sha256:
            raise ValueError(f"backup file {path} does not hash to the SHA-256 kept for {kept.key} ({kept.version_id})")
        moved[kept.version_id] = _put(client, bucket, path, kept)
    return moved


def _put(client: Minio, bucket: str, path: Path, kept: KeptVersion) -> str:
    now = dt.datetime.now(dt.UTC)
    retention = Retention(COMPLIANCE, kept.retain_until) if kept.retain_until and kept.retain_until > now else None
    single = kept.size <= SINGLE_PUT_LIMIT
    checksum: dict[str, str | list[str] | tuple[str]] | None = (
        {"x-amz-checksum-sha256": base64.b64encode(bytes.fromhex(kept.sha256)).decode()} if single else None
    )
    result = client.fput_object(
        bucket,
        kept.key,
        str(path),
        content_type=kept.content_type,
        metadata=checksum,
        retention=retention,
        legal_hold=kept.legal_hold,
        part_size=max(5 * 1024**2, min(kept.size, SINGLE_PUT_LIMIT)),
    )
    assert result.version_id is not None, "the evidence bucket is versioned"
    return result.version_id


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        while chunk := data.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
