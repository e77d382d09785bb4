"""The evidence object store (S3: MinIO in production, SeaweedFS embedded).

The bucket is created with Object Lock and a default COMPLIANCE retention, so
no one, through the product or with the store's own keys, can delete or
overwrite evidence before retention ends. The minio client is synchronous;
network calls run in a worker thread.

Upload URLs bind the declared SHA-256 as a *signed header*
(``x-amz-checksum-sha256``), not as a query parameter: AWS S3 documents that
it ignores checksums in a presigned query string and MinIO follows it, while a
signed header must be sent verbatim (else 403 SignatureDoesNotMatch) and every
S3 verifies a checksum header against the body (else 400 BadDigest). minio-py's
presigner signs only ``Host``, hence ``_presign`` below. minio-py has no public
multipart API either; the private calls used here are pinned by
tests/storage/test_objects.py against a real S3.

Errors: every S3 or network failure becomes ``ObjectStoreError`` (503, retry),
within bounded time: the client connects within ``S3_TIMEOUT`` and retries a
refused or failed connection once (minio's own default, five retries with
back-off and five-minute time-outs, held a request about 6 s while the store
was down); a missing object or version reads as ``None``; ``UploadGone`` and
``UploadRejected`` say a multipart upload can no longer be used as it is.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import io
import os
import urllib.parse
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any, TypeVar
from xml.etree import ElementTree

import certifi
import httpx
import msgspec
import urllib3
from minio import Minio, signer
from minio import time as s3_time
from minio.commonconfig import COMPLIANCE
from minio.datatypes import CompleteMultipartUploadResult
from minio.error import MinioException, S3Error
from minio.helpers import DictType, md5sum_hash, queryencode, sha256_hash
from minio.objectlockconfig import DAYS, ObjectLockConfig
from minio.retention import Retention

from mobile_contract.problems import ObjectStoreError

T = TypeVar("T")
SHA256_HEADER = "x-amz-checksum-sha256"
CHECKSUM_MODE: DictType = {"x-amz-checksum-mode": "ENABLED"}
MISSING = frozenset({"NoSuchKey", "NoSuchVersion", "NoSuchObject", "ResourceNotFound"})
UNUSABLE_UPLOAD = frozenset({"InvalidPart", "InvalidPartOrder", "EntityTooSmall", "BadDigest", "InvalidRequest"})
READ_CHUNK = 1024 * 1024
# Connecting is quick or the store is down; an answer may take a while (assembling a large multipart upload).
S3_CONNECT_TIMEOUT_S = 2.0
S3_TIMEOUT = urllib3.Timeout(connect=S3_CONNECT_TIMEOUT_S, read=60.0)
S3_RETRIES = urllib3.Retry(total=2, connect=1, read=0, backoff_factor=0.2, status_forcelist=(500, 502, 503, 504))
READ_TIMEOUT = httpx.Timeout(60.0, connect=S3_CONNECT_TIMEOUT_S)
OPEN_READ_TTL_S = 60  # a server-side GET starts at once; the URL never leaves the API


class SignedRequest(msgspec.Struct, frozen=True):
    """A presigned request: send exactly these headers to this URL before ``expires_at``."""

    url: str
    headers: dict[str, str]
    expires_at: dt.datetime


class StoredPart(msgspec.Struct, frozen=True):
    part_number: int
    etag: str
    size: int


class StoredObject(msgspec.Struct, frozen=True):
    """What S3 says about a stored object; ``sha256_b64`` only when S3 holds a whole-object SHA-256."""

    version_id: str | None
    size: int
    sha256_b64: str | None


class ObjectDigest(msgspec.Struct, frozen=True):
    sha256: str  # hex
    size: int


class UploadGone(Exception):
    """The multipart upload no longer exists (completed, aborted or expired)."""


class UploadRejected(Exception):
    """S3 refused to assemble the parts (too small, missing, or not matching their checksums)."""


class StoredBytes:
    """An object's bytes as S3 sends them: iterate ``chunks`` once; it closes the connection when done."""

    def __init__(self, http: httpx.AsyncClient, response: httpx.Response) -> None:
        self._http, self._response = http, response

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.aiter_raw():
                yield chunk
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        await self._response.aclose()
        await self._http.aclose()


def _unavailable(call: object, cause: object) -> ObjectStoreError:
    return ObjectStoreError(
        "证据存储暂时不可用，请稍后重试，已上传的数据不会丢失", f"object store call {call} failed: {cause}"
    )


def hex_to_b64(sha256_hex: str) -> str:
    return base64.b64encode(bytes.fromhex(sha256_hex)).decode()


class PublicEndpoint:
    """Where devices reach the store (对外地址), when it is not where the API reaches it.

    ``url`` is the scheme and host a handheld can reach, with the path under which a reverse proxy
    serves S3, if any (``https://files.example.cn/s3``). A URL is signed for that host and for the
    path S3 itself sees; the prefix is then put in front, for the proxy to strip. The proxy must
    pass the ``Host`` header on unchanged, since S3 checks the signature against it.
    """

    def __init__(self, url: str, internal: Minio, region: str) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
            raise ValueError(f"S3_PUBLIC_ENDPOINT must be http(s)://host[:port][/path], not {url!r}")
        # a client only to build and sign URLs: it never connects (the region is given)
        self.signer = Minio(parts.netloc, secure=parts.scheme == "https", region=region, credentials=internal._provider)
        self.prefix = parts.path.rstrip("/")


class ObjectStore:
    def __init__(
        self,
        client: Minio,
        bucket: str,
        *,
        retention_days: int,
        presign_ttl_s: int,
        public_url: str | None = None,
        region: str = "us-east-1",
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.retention_days = retention_days
        self.presign_ttl_s = presign_ttl_s
        self.public = PublicEndpoint(public_url, client, region) if public_url else None

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking S3 call off the event loop, translating its errors."""
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except (MinioException, OSError, httpx.HTTPError, urllib3.exceptions.HTTPError) as exc:
            raise _unavailable(getattr(fn, "__name__", fn), exc) from exc

    async def ensure_bucket(self) -> None:
        """Create the evidence bucket with Object Lock on first start."""
        if not await self.call(self.client.bucket_exists, self.bucket):
            await self.call(self.client.make_bucket, self.bucket, object_lock=True)
        lock = ObjectLockConfig(COMPLIANCE, self.retention_days, DAYS)
        await self.call(self.client.set_object_lock_config, self.bucket, lock)

    # -- uploads ---------------------------------------------------------------------------

    def presign_put(self, key: str, *, sha256_hex: str, query: Mapping[str, str] | None = None) -> SignedRequest:
        """A PUT URL for a device that S3 accepts only with exactly the bytes whose SHA-256 is ``sha256_hex``."""
        headers = {SHA256_HEADER: hex_to_b64(sha256_hex)}
        return self._presign("PUT", key, query=dict(query or {}), headers=headers, public=True)

    def presign_part(self, key: str, *, upload_id: str, part_number: int, sha256_hex: str) -> SignedRequest:
        query = {"partNumber": str(part_number), "uploadId": upload_id}
        return self.presign_put(key, sha256_hex=sha256_hex, query=query)

    async def create_multipart(self, key: str, *, content_type: str) -> str:
        """Start a multipart upload whose parts each carry a SHA-256 (returns the upload id)."""
        headers = {"Content-Type": content_type, "x-amz-checksum-algorithm": "SHA256"}
        return await self.call(self.client._create_multipart_upload, self.bucket, key, headers)

    async def list_parts(self, key: str, upload_id: str) -> list[StoredPart]:
        """Every part S3 holds for the upload (ListParts, all pages); raises ``UploadGone``."""
        return await self.call(self._list_parts, key, upload_id)

    def _list_parts(self, key: str, upload_id: str) -> list[StoredPart]:
        parts: list[StoredPart] = []
        marker: str | None = None
        while True:
            try:
                page = self.client._list_parts(self.bucket, key, upload_id, part_number_marker=marker)
            except S3Error as exc:
                if exc.code == "NoSuchUpload":
                    raise UploadGone(exc.message) from exc
                raise
            parts += [StoredPart(p.part_number, p.etag, p.size or 0) for p in page.parts]
            if not page.is_truncated:
                return parts
            marker = page.next_part_number_marker

    async def complete_multipart(self, key: str, upload_id: str, parts: Sequence[tuple[StoredPart, str]]) -> str | None:
        """Assemble ``(part, sha256_hex)`` in order; returns the new object's version id."""
        return await self.call(self._complete, key, upload_id, parts)

    def _complete(self, key: str, upload_id: str, parts: Sequence[tuple[StoredPart, str]]) -> str | None:
        # minio-py's own _complete_multipart_upload cannot send the parts' checksums, which S3
        # requires for an upload started with a checksum algorithm.
        root = ElementTree.Element("CompleteMultipartUpload")
        for part, sha256_hex in parts:
            element = ElementTree.SubElement(root, "Part")
            ElementTree.SubElement(element, "PartNumber").text = str(part.part_number)
            ElementTree.SubElement(element, "ETag").text = f'"{part.etag}"'
            ElementTree.SubElement(element, "ChecksumSHA256").text = hex_to_b64(sha256_hex)
        body = ElementTree.tostring(root)
        content_md5 = md5sum_hash(body)
        assert content_md5 is not None  # None only for no body
        headers: DictType = {"Content-Type": "application/xml", "Content-MD5": content_md5}
        try:
            response = self.client._execute(
                "POST", self.bucket, key, body=body, headers=headers, query_params={"uploadId": upload_id}
            )
        except S3Error as exc:
            if exc.code == "NoSuchUpload":
                raise UploadGone(exc.message) from exc
            if exc.code in UNUSABLE_UPLOAD:
                raise UploadRejected(f"{exc.code}: {exc.message}") from exc
            raise
        return CompleteMultipartUploadResult(response).version_id

    # -- reading ---------------------------------------------------------------------------

    async def stat(self, key: str, version_id: str | None = None) -> StoredObject | None:
        """Size, version and whole-object SHA-256 (if S3 has one) of the object; None if absent."""
        return await self.call(self._stat, key, version_id)

    def _stat(self, key: str, version_id: str | None) -> StoredObject | None:
        try:
            found = self.client.stat_object(self.bucket, key, version_id=version_id, extra_headers=CHECKSUM_MODE)
        except S3Error as exc:
            if exc.code in MISSING:
                return None
            raise
        metadata = found.metadata or {}
        checksum = metadata.get(SHA256_HEADER)
        # A multipart object's checksum is a checksum of part checksums ("…-3", type COMPOSITE).
        composite = checksum is not None and ("-" in checksum or metadata.get("x-amz-checksum-type") == "COMPOSITE")
        return StoredObject(found.version_id, found.size or 0, None if composite else checksum)

    async def sha256_of(self, key: str, version_id: str | None) -> ObjectDigest | None:
        """Stream the object's bytes and hash them (in a worker thread); None if absent."""
        url = self.presign_get(key, version_id=version_id, ttl_s=self.presign_ttl_s).url
        return await self.call(self._digest, url)

    @staticmethod
    def _digest(url: str) -> ObjectDigest | None:
        # A plain HTTP stream with no retries: a store that cannot return the bytes intact must
        # read as a failure of this check, not be retried for minutes behind the caller's back.
        digest, size = hashlib.sha256(), 0
        with httpx.stream("GET", url, timeout=READ_TIMEOUT) as response:
            if response.status_code == 404:
                return None
            response.raise_for_status()
            for chunk in response.iter_bytes(READ_CHUNK):
                digest.update(chunk)
                size += len(chunk)
        return ObjectDigest(digest.hexdigest(), size)

    async def open_read(
        self, key: str, version_id: str | None, *, byte_range: tuple[int, int] | None = None
    ) -> StoredBytes | None:
        """Start reading one version's bytes (the answer's head has arrived); None if absent.

        ``byte_range`` (first, last; inclusive, within the object) reads only those bytes.
        """
        url = self.presign_get(key, version_id=version_id, ttl_s=OPEN_READ_TTL_S).url
        headers = {"Range": f"bytes={byte_range[0]}-{byte_range[1]}"} if byte_range else {}
        http = httpx.AsyncClient(timeout=READ_TIMEOUT)
        try:
            response = await http.send(http.build_request("GET", url, headers=headers), stream=True)
        except httpx.HTTPError as exc:
            await http.aclose()
            raise _unavailable("GET", exc) from exc
        if response.status_code == (206 if byte_range else 200):
            return StoredBytes(http, response)
        await response.aclose()
        await http.aclose()
        if response.status_code == 404:
            return None
        raise _unavailable("GET", f"status {response.status_code}")

    def presign_get(
        self, key: str, *, version_id: str | None, ttl_s: int, media_type: str | None = None, public: bool = False
    ) -> SignedRequest:
        """A GET URL for one version of the object, valid for ``ttl_s`` seconds; ``public``: for a device."""
        query = {"versionId": version_id} if version_id else {}
        if media_type:
            query["response-content-type"] = media_type
        return self._presign("GET", key, query=query, headers={}, ttl_s=ttl_s, public=public)

    # -- legal hold ------------------------------------------------------------------------

    async def set_legal_hold(self, key: str, version_id: str, *, enabled: bool) -> None:
        """Place or lift S3 legal hold (法律保全) on one version; while held it cannot be deleted."""
        change = self.client.enable_object_legal_hold if enabled else self.client.disable_object_legal_hold
        await self.call(change, self.bucket, key, version_id=version_id)

    async def legal_hold(self, key: str, version_id: str) -> bool:
        return await self.call(self._legal_hold, key, version_id)

    def _legal_hold(self, key: str, version_id: str) -> bool:
        try:
            return self.client.is_object_legal_hold_enabled(self.bucket, key, version_id=version_id)
        except S3Error as exc:
            if exc.code == "NoSuchObjectLegalHold":  # SeaweedFS: never held (S3 says it with a status)
                return False
            raise

    # -- small records kept under retention (audit checkpoints) --------------------------

    async def put_retained(self, key: str, data: bytes, *, content_type: str = "application/json") -> str | None:
        """Store ``data`` under COMPLIANCE retention for ``retention_days``; returns the version id."""
        until = dt.datetime.now(dt.UTC) + dt.timedelta(days=self.retention_days)
        retention = Retention(COMPLIANCE, until)
        put = self.client.put_object
        result = await self.call(put, self.bucket, key, io.BytesIO(data), len(data), content_type, retention=retention)
        return result.version_id

    async def keys(self, prefix: str) -> list[str]:
        """Every object key under ``prefix``, in key order."""
        listed = await self.call(lambda: list(self.client.list_objects(self.bucket, prefix=prefix, recursive=True)))
        return sorted(item.object_name for item in listed if item.object_name)

    async def read_small(self, key: str) -> bytes:
        """The bytes of a small object (a checkpoint), read whole."""
        return await self.call(self._read_small, key)

    def _read_small(self, key: str) -> bytes:
        response = self.client.get_object(self.bucket, key)
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    # -- signing ---------------------------------------------------------------------------

    def _presign(
        self,
        method: str,
        key: str,
        *,
        query: dict[str, str],
        headers: dict[str, str],
        ttl_s: int | None = None,
        public: bool = False,
    ) -> SignedRequest:
        """SigV4 query-string presigning that also signs ``headers`` (AWS SigV4, "presigned URL").

        ``public``: for a device, so for the public endpoint if one is set; the API's own reads are
        signed for the address it reaches the store at.
        """
        ttl = ttl_s or self.presign_ttl_s
        now = s3_time.utcnow()
        region = self.client._get_region(self.bucket)  # configured region: no network call
        provider = self.client._provider
        assert provider is not None  # make_client always gives the client its credentials
        credentials = provider.retrieve()
        signer_client, prefix = (
            (self.public.signer, self.public.prefix) if public and self.public else (self.client, "")
        )
        params: DictType = dict(query)
        url = signer_client._base_url.build(
            method=method, region=region, bucket_name=self.bucket, object_name=key, query_params=params
        )
        scope = signer._get_scope(now, region, "s3")
        canonical_headers, signed_names = signer._get_canonical_headers({"host": url.netloc, **headers})
        auth_query = (
            f"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={queryencode(credentials.access_key + '/' + scope)}"
            f"&X-Amz-Date={s3_time.to_amz_date(now)}&X-Amz-Expires={ttl}"
            f"&X-Amz-SignedHeaders={queryencode(signed_names)}"
        )
        if credentials.session_token:  # temporary (STS) credentials sign with their token
            auth_query += f"&X-Amz-Security-Token={queryencode(credentials.session_token)}"
        full_query = f"{url.query}&{auth_query}" if url.query else auth_query
        canonical_query = signer._get_canonical_query_string(full_query)
        # The canonical request (AWS SigV4): method, path, query, headers, a blank line, their names, no payload hash.
        lines = [method, url.path or "/", canonical_query, canonical_headers, "", signed_names, "UNSIGNED-PAYLOAD"]
        canonical_request = "\n".join(lines)
        string_to_sign = signer._get_string_to_sign(now, scope, sha256_hash(canonical_request))
        signature = signer._get_signature(
            signer._get_signing_key(credentials.secret_key, now, region, "s3"), string_to_sign
        )
        signed_url = url._replace(
            path=prefix + url.path, query=f"{full_query}&X-Amz-Signature={queryencode(signature)}"
        )
        return SignedRequest(signed_url.geturl(), headers, now + dt.timedelta(seconds=ttl))


def connect(*, endpoint: str, access_key: str, secret_key: str, secure: bool, region: str) -> Minio:
    """A client whose calls end within bounded time (``S3_TIMEOUT``, ``S3_RETRIES``); certificates as minio's own."""
    http = urllib3.PoolManager(
        timeout=S3_TIMEOUT,
        retries=S3_RETRIES,
        maxsize=10,
        cert_reqs="CERT_REQUIRED",
        ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where(),
    )
    return Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure, region=region, http_client=http)
