"""Reading alerts (预警查询): department scope, filters, paging, and audited evidence viewing."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from typing import Any

import asyncpg
import msgspec

from api.alerts import media
from api.audit.trail import entry as audit_entry
from api.auth.principal import Principal
from api.sites.service import scope
from mobile_contract.alerts import (
    AlertDetail,
    AlertMediaRead,
    AlertPage,
    AlertRead,
    AlertRevisionRead,
    AlertUpsert,
    InspectorChoice,
    MediaCheck,
    MediaLink,
)
from mobile_contract.problems import Conflict, InvalidInput, NotFound, ObjectStoreError
from storage import alerts, audit
from storage.db import Connection
from storage.objects import ObjectStore, StoredBytes

MEDIA_CHECK_NAMES = {
    MediaCheck.VERIFIED: "已核验",
    MediaCheck.MISSING: "存储中没有该对象",
    MediaCheck.CHECKSUM_MISMATCH: "存储的 SHA-256 与上报不一致",
    MediaCheck.CHECKSUM_UNAVAILABLE: "存储未记录 SHA-256",
    MediaCheck.SIZE_MISMATCH: "大小与上报不一致",
}


def to_read(row: Any) -> AlertRead:
    return msgspec.convert(dict(row), AlertRead)


def media_read(row: Any) -> AlertMediaRead:
    return msgspec.convert({**dict(row), "verified": row["verification"] == "verified"}, AlertMediaRead)


def _revision_read(row: Any) -> AlertRevisionRead:
    return AlertRevisionRead(**{**dict(row), "content": msgspec.convert(row["content"], AlertUpsert)})


async def get(db: Connection, principal: Principal, alert_id: uuid.UUID, *, for_update: bool = False) -> AlertRead:
    row = await alerts.get(db, id=alert_id, department_id=scope(principal), for_update=for_update)
    if row is None:
        raise NotFound("未找到该预警", f"alert {alert_id} not found in this department")
    return to_read(row)


async def list_media(db: Connection, alert_id: uuid.UUID) -> list[AlertMediaRead]:
    return [media_read(r) for r in await alerts.list_media(db, alert_id=alert_id)]


async def detail(db: Connection, principal: Principal, alert_id: uuid.UUID) -> AlertDetail:
    alert = await get(db, principal, alert_id)
    revisions = [_revision_read(r) for r in await alerts.list_revisions(db, alert_id=alert_id)]
    return AlertDetail(**msgspec.structs.asdict(alert), media=await list_media(db, alert_id), revisions=revisions)


async def list_page(
    db: Connection, principal: Principal, *, filters: dict[str, Any], cursor: str | None, limit: int
) -> AlertPage:
    after = _decode_cursor(cursor) if cursor else None
    rows = await alerts.list_page(db, department_id=scope(principal), filters=filters, after=after, limit=limit)
    items = [to_read(r) for r in rows]
    return AlertPage(items=items, next_cursor=_encode_cursor(items[-1]) if len(items) == limit else None)


async def dispatch_candidates(db: Connection, principal: Principal, alert_id: uuid.UUID) -> list[InspectorChoice]:
    """Who the alert can be dispatched to: the active inspectors of its department (派遣候选)."""
    alert = await get(db, principal, alert_id)
    rows = await alerts.active_inspectors(db, department_id=alert.department_id)
    return [msgspec.convert(dict(r), InspectorChoice) for r in rows]


async def media_link(
    db: Connection, store: ObjectStore, principal: Principal, alert_id: uuid.UUID, media_id: int
) -> MediaLink:
    """A short-lived download link; issuing it is an evidence access and is audited (证据查阅留痕)."""
    alert, item = await _verified_media(db, principal, alert_id, media_id)
    url, expires_at = media.link(store, item.object_key)
    await _audit_access(db, principal, alert, item, {"expires_at": expires_at.isoformat()})
    return MediaLink(url=url, expires_at=expires_at, sha256=item.sha256)


class MediaContent(msgspec.Struct, frozen=True, kw_only=True):
    """One read of a verified snapshot or clip through the API, as its bytes arrive from S3."""

    item: AlertMediaRead
    body: StoredBytes

    def headers(self) -> dict[str, str]:
        """Length, the SHA-256 to check after download (RFC 9530 ``Repr-Digest``), never cached."""
        digest = base64.b64encode(bytes.fromhex(self.item.sha256)).decode()
        return {
            "Content-Length": str(self.item.size),
            "Repr-Digest": f"sha-256=:{digest}:",
            "Cache-Control": "no-store",
        }


async def media_content(
    db: Connection, store: ObjectStore, principal: Principal, alert_id: uuid.UUID, media_id: int
) -> MediaContent:
    """The verified bytes through the API (a handheld on a dispatch reads the snapshot so), audited per read."""
    alert, item = await _verified_media(db, principal, alert_id, media_id)
    body = await store.open_read(item.object_key, None)
    if body is None:
        raise ObjectStoreError(
            "证据存储中找不到该预警证据，请联系管理员核查存储", f"media {media_id} of alert {alert_id} is missing"
        )
    try:
        await _audit_access(db, principal, alert, item, {"read": "content", "bytes": item.size})
    except BaseException:
        await body.aclose()
        raise
    return MediaContent(item=item, body=body)


async def _verified_media(
    db: Connection, principal: Principal, alert_id: uuid.UUID, media_id: int
) -> tuple[AlertRead, AlertMediaRead]:
    """Only verified media: an object whose hash the store did not confirm may not be what the node
    declared, and could even be another record's object."""
    alert = await get(db, principal, alert_id)
    row = await alerts.get_media(db, alert_id=alert_id, media_id=media_id)
    if row is None:
        raise NotFound("未找到该预警证据", f"media {media_id} not found on alert {alert_id}")
    item = media_read(row)
    if not item.verified:
        raise Conflict(
            f"该证据未通过核验（{MEDIA_CHECK_NAMES[item.verification]}），不能作为证据查看",
            f"media is {item.verification.value}: only verified media can be viewed",
            code="media-not-verified",
        )
    return alert, item


async def _audit_access(
    db: Connection, principal: Principal, alert: AlertRead, item: AlertMediaRead, detail: dict[str, Any]
) -> None:
    access = {"object_key": item.object_key, "sha256": item.sha256, "verification": item.verification.value}
    await audit.append(
        db,
        audit_entry(
            principal,
            action="evidence.access",
            entity_type="alert_media",
            entity_id=f"{alert.id}/{item.id}",
            department_id=alert.department_id,
            detail=access | detail,
        ),
    )


def _encode_cursor(alert: AlertRead) -> str:
    return base64.urlsafe_b64encode(f"{alert.created_at.isoformat()}|{alert.id}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[dt.datetime, uuid.UUID]:
    try:
        created, _, alert_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return dt.datetime.fromisoformat(created), uuid.UUID(alert_id)
    except (ValueError, binascii.Error) as exc:
        raise InvalidInput("分页游标无效，请从第一页重新查询", "invalid cursor") from exc


async def last_event_id(db: Connection) -> int:
    """The newest alert event's number: a stream opened now starts after it."""
    return await alerts.last_event_id(db)


async def open_critical_ids(db: Connection, principal: Principal, *, limit: int) -> list[uuid.UUID]:
    """Critical alerts in the caller's scope nobody has taken on yet, newest first."""
    return await alerts.open_critical_ids(db, department_id=scope(principal), limit=limit)


async def latest_camera_snapshot(
    db: Connection, principal: Principal, *, site_id: str, camera_id: str
) -> asyncpg.Record | None:
    """The newest verified snapshot of the camera in the caller's scope: (alert_id, media id)."""
    return await alerts.latest_camera_snapshot(db, department_id=scope(principal), site_id=site_id, camera_id=camera_id)
