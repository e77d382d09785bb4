"""The evidence store on the real embedded S3: checksum-bound URLs, multipart, stat, hashing, lock, hold."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import uuid

import httpx
import pytest
from minio.error import S3Error

from api.app import build_store
from storage.objects import ObjectStore, UploadGone

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def store(settings, client) -> ObjectStore:  # client: the app has created the locked bucket
    return build_store(settings)


def key() -> str:
    return f"test/{uuid.uuid4()}"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def put(signed, content: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.put(signed.url, content=content, headers=signed.headers if headers is None else headers)


async def test_put_url_accepts_only_the_declared_bytes(store: ObjectStore) -> None:
    data, name = os.urandom(4096), key()
    signed = store.presign_put(name, sha256_hex=sha(data))
    tampered = bytes([data[0] ^ 0xFF]) + data[1:]  # always differs (a fixed b"x" equals data[0] once in 256 runs)
    assert (await put(signed, tampered)).status_code == 400  # BadDigest
    assert await store.stat(name) is None, "a refused upload must store nothing"
    assert (await put(signed, data, headers={})).status_code == 403, "the checksum header is signed: required"
    assert (await put(signed, data)).status_code == 200
    stored = await store.stat(name)
    assert stored is not None and stored.size == len(data) and stored.version_id
    assert stored.sha256_b64 is not None and base64.b64decode(stored.sha256_b64).hex() == sha(data)


async def test_multipart_parts_are_bound_listed_completed_and_hashed(store: ObjectStore) -> None:
    data, name = os.urandom(11 * MiB), key()
    chunks = [data[:5 * MiB], data[5 * MiB:10 * MiB], data[10 * MiB:]]  # fmt: skip
    upload_id = await store.create_multipart(name, content_type="video/mp4")
    signed = [store.presign_part(name, upload_id=upload_id, part_number=n, sha256_hex=sha(c))
              for n, c in enumerate(chunks, 1)]  # fmt: skip
    assert (await put(signed[1], chunks[0])).status_code == 400, "a part URL accepts only its own bytes"
    for url, chunk in zip(signed, chunks, strict=True):
        assert (await put(url, chunk)).status_code == 200
    parts = await store.list_parts(name, upload_id)
    assert [(p.part_number, p.size) for p in parts] == [(1, 5 * MiB), (2, 5 * MiB), (3, MiB)]
    version_id = await store.complete_multipart(
        name, upload_id, [(p, sha(c)) for p, c in zip(parts, chunks, strict=True)]
    )
    assert version_id
    stored = await store.stat(name)
    assert stored is not None and stored.size == len(data)
    assert stored.sha256_b64 is None, "a composite (checksum-of-parts) value is not the object's SHA-256"
    digest = await store.sha256_of(name, version_id)
    assert digest is not None and (digest.sha256, digest.size) == (sha(data), len(data))
    with pytest.raises(UploadGone):
        await store.list_parts(name, upload_id)


async def test_missing_objects_and_versions_read_as_none(store: ObjectStore) -> None:
    assert await store.stat(key()) is None
    assert await store.sha256_of(key(), None) is None


async def test_the_locked_bucket_refuses_deleting_a_version_even_with_the_stores_own_keys(store: ObjectStore) -> None:
    data, name = os.urandom(1024), key()
    written = store.client.put_object(store.bucket, name, io.BytesIO(data), len(data))
    with pytest.raises(S3Error) as refused:
        store.client.remove_object(store.bucket, name, version_id=written.version_id)
    assert refused.value.code == "AccessDenied"
    store.client.remove_object(store.bucket, name)  # only hides the latest behind a delete marker
    store.client.put_object(store.bucket, name, io.BytesIO(b"overwrite"), 9)  # a new version, not an overwrite
    digest = await store.sha256_of(name, written.version_id)
    assert digest is not None and digest.sha256 == sha(data)


async def test_legal_hold_is_placed_and_lifted_on_one_version(store: ObjectStore) -> None:
    name = key()
    written = store.client.put_object(store.bucket, name, io.BytesIO(b"evidence"), 8)
    assert not await store.legal_hold(name, written.version_id)
    await store.set_legal_hold(name, written.version_id, enabled=True)
    assert await store.legal_hold(name, written.version_id)
    await store.set_legal_hold(name, written.version_id, enabled=False)
    assert not await store.legal_hold(name, written.version_id)
