"""The evidence object store (S3: MinIO in production, SeaweedFS embedded).

The bucket is created with Object Lock and a default COMPLIANCE retention, so
no one, through the product or with the store's own keys, can delete or
overwrite evidence before retention ends. The minio client is synchronous;
network calls run in a worker thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from minio import Minio
from minio.commonconfig import COMPLIANCE
from minio.error import MinioException
from minio.objectlockconfig import DAYS, ObjectLockConfig

from mobile_contract.problems import ObjectStoreError

T = TypeVar("T")


class ObjectStore:
    def __init__(self, client: Minio, bucket: str, *, retention_days: int, presign_ttl_s: int) -> None:
        self.client = client
        self.bucket = bucket
        self.retention_days = retention_days
        self.presign_ttl_s = presign_ttl_s

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking S3 call off the event loop, translating its errors."""
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except (MinioException, OSError) as exc:
            raise ObjectStoreError(
                "证据存储暂时不可用，请稍后重试，已上传的数据不会丢失",
                f"object store call {getattr(fn, '__name__', fn)} failed: {exc}",
            ) from exc

    async def ensure_bucket(self) -> None:
        """Create the evidence bucket with Object Lock on first start."""
        if not await self.call(self.client.bucket_exists, self.bucket):
            await self.call(self.client.make_bucket, self.bucket, object_lock=True)
        lock = ObjectLockConfig(COMPLIANCE, self.retention_days, DAYS)
        await self.call(self.client.set_object_lock_config, self.bucket, lock)


def connect(*, endpoint: str, access_key: str, secret_key: str, secure: bool, region: str) -> Minio:
    return Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure, region=region)
