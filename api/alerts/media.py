"""Evidence media of alerts (预警证据): the server's own check of each stored object, and viewing links.

A vision node uploads each snapshot and clip with its SHA-256 as the S3 checksum, so the
store computes and keeps the object's hash. Here the API asks the store for that hash
(``x-amz-checksum-mode: ENABLED`` on HEAD) and compares it with what the node declared;
media is ``verified`` only when both agree, never on the node's word alone.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import hmac

from minio import Minio
from minio.datatypes import Object
from minio.error import S3Error

from mobile_contract.alerts import AlertMedia, MediaCheck
from storage.objects import CHECKSUM_MODE, ObjectStore

NOT_FOUND_CODES = frozenset({"NoSuchKey", "NoSuchObject", "NotFound", "ResourceNotFound"})
LINK_TTL = dt.timedelta(minutes=5)  # long enough to open a clip, short enough not to be passed around


def _stat_or_none(client: Minio, bucket: str, key: str) -> Object | None:
    try:
        return client.stat_object(bucket, key, extra_headers=CHECKSUM_MODE)
    except S3Error as exc:
        if exc.code in NOT_FOUND_CODES:
            return None
        raise


def _stored_sha256_hex(stat: Object) -> str | None:
    """The full-object SHA-256 the store recorded; None if absent or composite (multipart: ``…-N``)."""
    headers = {key.lower(): value for key, value in (stat.metadata or {}).items()}
    value = headers.get("x-amz-checksum-sha256")
    if not value or "-" in value:
        return None
    try:
        return base64.b64decode(value, validate=True).hex()
    except binascii.Error:
        return None


def judge(declared: AlertMedia, stat: Object | None) -> MediaCheck:
    if stat is None:
        return MediaCheck.MISSING
    stored = _stored_sha256_hex(stat)
    if stored is None:
        return MediaCheck.CHECKSUM_UNAVAILABLE
    if not hmac.compare_digest(stored, declared.sha256):
        return MediaCheck.CHECKSUM_MISMATCH
    if stat.size != declared.size:
        return MediaCheck.SIZE_MISMATCH
    return MediaCheck.VERIFIED


async def check(store: ObjectStore, media: AlertMedia) -> MediaCheck:
    """Ask the store about one object; an unreachable store raises ObjectStoreError (503, retry)."""
    stat = await store.call(_stat_or_none, store.client, store.bucket, media.object_key)
    return judge(media, stat)


async def check_all(store: ObjectStore, media: list[AlertMedia], *, skip: set[str]) -> list[tuple[AlertMedia, str]]:
    """Check every object not in ``skip`` (already verified earlier), concurrently."""
    todo = [m for m in media if m.object_key not in skip]
    results = await asyncio.gather(*(check(store, m) for m in todo))
    return [(m, r.value) for m, r in zip(todo, results, strict=True)]


def link(store: ObjectStore, object_key: str) -> tuple[str, dt.datetime]:
    """A presigned GET URL for one object (for the public endpoint, if set), and when it stops working."""
    signed = store.presign_get(object_key, version_id=None, ttl_s=int(LINK_TTL.total_seconds()), public=True)
    return signed.url, signed.expires_at
