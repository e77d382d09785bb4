"""Fixtures shared by the API domain tests."""

import base64
import hashlib
import io
import uuid
from collections.abc import Callable

import pytest
from litestar.testing import AsyncTestClient
from minio import Minio

from api.settings import Settings
from mobile_contract.auth import Role


@pytest.fixture
async def admin(make_user, make_department):
    """An admin in a department of their own, so scoping tests see no admin in theirs."""
    return await make_user(Role.ADMIN, await make_department(), device_id=None)


@pytest.fixture
async def partner(make_user, department):
    """A second inspector of the department: inspections need two officers."""
    return await make_user(Role.INSPECTOR, department)


@pytest.fixture
async def head(make_user, department):
    """The department's supervisor (负责人): files, decides, suspends."""
    return await make_user(Role.SUPERVISOR, department)


@pytest.fixture(scope="session")
def s3(settings: Settings) -> Minio:
    """A client of the app's evidence store, as a vision node would hold one."""
    store = settings.object_store
    assert store.endpoint is not None
    return Minio(
        store.endpoint,
        access_key=store.access_key,
        secret_key=store.secret_key,
        secure=store.secure,
        region=store.region,
    )


@pytest.fixture
def put_evidence(s3: Minio, settings: Settings, client: AsyncTestClient) -> Callable[..., dict]:
    """Upload bytes with their SHA-256 as the S3 checksum; returns the AlertMedia the node declares."""

    def put(data: bytes, *, kind: str = "snapshot", checksum: bool = True, key: str | None = None) -> dict:
        digest = hashlib.sha256(data)
        key = key or f"alerts/test/{uuid.uuid4()}.jpg"
        headers = {"x-amz-checksum-sha256": base64.b64encode(digest.digest()).decode()} if checksum else None
        s3.put_object(settings.object_store.bucket, key, io.BytesIO(data), len(data), "image/jpeg", metadata=headers)
        return {
            "kind": kind,
            "object_key": key,
            "sha256": digest.hexdigest(),
            "size": len(data),
            "media_type": "image/jpeg",
        }

    return put
