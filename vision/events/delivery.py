"""Delivery of the outbox to S3 and the API (告警投递), retried with back-off.

For each waiting revision, oldest alert first and revisions in order: its
media go to S3 (skipped if the object is already there; S3 checks the
SHA-256 of the bytes, in one PUT with ``x-amz-checksum-sha256`` so the
store keeps the hash the API verifies), then ``PUT {api}/alerts/{id}`` with
the ``AlertUpsert`` and the node's bearer token. Only a 2xx answer removes the
file. The API stores each (id, revision) once, so a revision resent after a
lost answer is harmless.

Errors::

    DeliveryError
    ├── Unavailable   API or S3 down, 5xx, 429, 401/403: retry later, keep everything
    └── Refused       the API will never take this revision (409, 404, 400, 422), or S3
                      refuses its media as not matching their SHA-256: move to rejected/
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import logging

import httpx
import msgspec
import tenacity
from minio.error import S3Error

from mobile_contract.alerts import AlertMedia, AlertUpsert
from mobile_contract.problems import ObjectStoreError
from storage.objects import ObjectStore
from vision.client import client
from vision.config import ApiConfig, OutboxConfig
from vision.events.outbox import Outbox, Pending

log = logging.getLogger(__name__)

RETRYABLE_STATUS = {401, 403, 408, 425, 429}  # a token can be fixed, a limit waits out
MIN_PART = 5 * 1024 * 1024  # the smallest part size S3 clients accept
CORRUPT_CODES = {"BadDigest", "InvalidDigest", "XAmzContentChecksumMismatch"}  # resending the same bytes cannot help


class DeliveryError(Exception):
    pass


class Unavailable(DeliveryError):
    pass


class Refused(DeliveryError):
    pass


class Delivery:
    def __init__(
        self,
        outbox: Outbox,
        *,
        api: ApiConfig,
        retry: OutboxConfig,
        store: ObjectStore | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.outbox = outbox
        self.retry = retry
        self.store = store
        self.client = client(api, transport=transport)
        self.delivered = 0
        self.wake = asyncio.Event()
        self._pass = asyncio.Lock()  # one pass at a time: two would send the same revision twice

    async def aclose(self) -> None:
        await self.client.aclose()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set; sleeps between passes until woken or a second passes."""
        while not stop.is_set():
            await self.deliver_with_backoff(stop)
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._first(stop, self.wake), timeout=1.0)

    async def deliver_with_backoff(self, stop: asyncio.Event) -> None:
        """One full pass, repeated with exponential back-off while the far side is unavailable."""

        async def sleep(seconds: float) -> None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=seconds)

        retrying = tenacity.AsyncRetrying(
            retry=tenacity.retry_if_exception_type(Unavailable),
            wait=tenacity.wait_exponential(multiplier=self.retry.retry_initial_s, max=self.retry.retry_max_s),
            stop=lambda _: stop.is_set(),
            sleep=sleep,
            reraise=True,
            before_sleep=lambda state: log.warning(
                "alert delivery paused: %s", state.outcome and state.outcome.exception()
            ),
        )
        with contextlib.suppress(Unavailable):  # stopped while still unavailable: alerts wait for the next start
            await retrying(self.deliver_pending)

    async def deliver_pending_once(self) -> int:
        """One pass without retrying; what cannot go now stays in the outbox."""
        with contextlib.suppress(Unavailable):
            return await self.deliver_pending()
        return 0

    async def deliver_pending(self) -> int:
        """Deliver everything waiting now; raises ``Unavailable`` at the first outage."""
        async with self._pass:
            return await self._deliver_all()

    async def _deliver_all(self) -> int:
        count = 0
        for pending in self.outbox.pending():
            try:
                await self.deliver(pending)
            except Refused as exc:
                log.error("alert %s revision %s refused: %s", pending.alert_id, pending.revision, exc)
                self.outbox.reject(pending, str(exc))
                continue
            count += 1
        return count

    async def deliver(self, pending: Pending) -> None:
        upsert = self.outbox.read(pending)
        for media in upsert.media:
            await self._upload(upsert, media)
        await self._put(upsert)
        self.outbox.done(pending)
        self.delivered += 1

    async def _put(self, upsert: AlertUpsert) -> None:
        try:
            response = await self.client.put(
                f"/alerts/{upsert.id}", content=_encode(upsert), headers={"Content-Type": "application/json"}
            )
        except httpx.TransportError as exc:
            raise Unavailable(f"API unreachable: {exc!r}") from exc
        if response.is_success:
            return
        if response.status_code >= 500 or response.status_code in RETRYABLE_STATUS:
            raise Unavailable(f"API answered {response.status_code}")
        raise Refused(f"API answered {response.status_code}: {response.text[:2000]}")

    async def _upload(self, upsert: AlertUpsert, media: AlertMedia) -> None:
        if self.store is None:
            raise Refused("alert has media but no S3 store is configured")
        store = self.store
        if await self._exists(media.object_key):
            return
        data = self.outbox.media_bytes(upsert.id, media.sha256)
        checksum = base64.b64encode(bytes.fromhex(media.sha256)).decode()
        try:
            await store.call(
                store.client.put_object,
                store.bucket,
                media.object_key,
                io.BytesIO(data),
                len(data),
                content_type=media.media_type,
                metadata={"x-amz-checksum-sha256": checksum, "sha256": media.sha256},
                part_size=max(MIN_PART, len(data)),  # one PUT: a multipart upload has no whole-object SHA-256
            )
        except ObjectStoreError as exc:
            if isinstance(exc.__cause__, S3Error) and exc.__cause__.code in CORRUPT_CODES:
                raise Refused(f"S3 refused {media.object_key}: the outbox copy no longer matches its SHA-256") from exc
            raise Unavailable(f"S3 upload of {media.object_key} failed: {exc.detail_en}") from exc

    async def _exists(self, key: str) -> bool:
        assert self.store is not None
        try:
            await self.store.call(self.store.client.stat_object, self.store.bucket, key)
        except ObjectStoreError as exc:
            if isinstance(exc.__cause__, S3Error) and exc.__cause__.code in {"NoSuchKey", "NoSuchObject"}:
                return False
            raise Unavailable(f"S3 unavailable: {exc.detail_en}") from exc
        return True

    @staticmethod
    async def _first(*events: asyncio.Event) -> None:
        waiters = [asyncio.ensure_future(e.wait()) for e in events]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()


def _encode(upsert: AlertUpsert) -> bytes:
    return msgspec.json.encode(upsert)
