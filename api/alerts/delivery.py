"""Delivery of alerts by vision nodes (预警上报): idempotent by (alert id, revision).

A node may deliver the same revision many times (its disk queue retries after an
outage) and revisions out of order. Each (id, revision) is stored once: the same
content again is answered with the stored alert, different content is a conflict,
and a revision lower than the current one goes into history without moving the
alert back. Media objects are checked in the store before any row is locked.
"""

from __future__ import annotations

import datetime as dt

from api.alerts import media, service
from api.alerts.flows import publish
from api.alerts.naming import alert_title
from api.audit.trail import entry as audit_entry
from api.auth.principal import Principal
from api.observability import metrics
from mobile_contract.alerts import AlertAction, AlertRead, AlertReceipt, AlertUpsert, DeliveryOutcome
from mobile_contract.problems import Conflict, FieldError, InvalidInput, NotFound
from storage import alerts, audit, sites
from storage.canonical import canonical_sha256
from storage.db import Connection
from storage.objects import ObjectStore


async def deliver(db: Connection, store: ObjectStore, principal: Principal, body: AlertUpsert) -> AlertReceipt:
    _require_own_media(body)
    await _require_known_camera(db, principal, body)
    lag = dt.datetime.now(dt.UTC) - body.last_seen_at
    metrics.ALERT_DELIVERY_LAG.labels(body.camera_id).observe(max(lag.total_seconds(), 0.0))
    digest = canonical_sha256(body)
    if (stored := await alerts.revision_sha256(db, alert_id=body.id, revision=body.revision)) is not None:
        return await _replay(db, principal, body, stored, digest)
    verified = await alerts.verified_keys(db, alert_id=body.id)
    checked = await media.check_all(store, body.media, skip=verified)
    inserted = await alerts.insert_revision(
        db, alert_id=body.id, revision=body.revision, content=body, content_sha256=digest, user_id=principal.user_id
    )
    if not inserted:  # a concurrent delivery of the same revision committed first
        stored = await alerts.revision_sha256(db, alert_id=body.id, revision=body.revision)
        return await _replay(db, principal, body, stored, digest)
    before = await alerts.get(db, id=body.id, department_id=principal.department_id, for_update=True)
    created = await alerts.upsert_current(db, department_id=principal.department_id, alert=body)
    await alerts.record_media(db, alert_id=body.id, revision=body.revision, checked=checked)
    after = await service.get(db, principal, body.id)
    previous = service.to_read(before) if before else None
    outcome = await _record(db, principal, body, digest, created, before=previous, after=after)
    return AlertReceipt(outcome=outcome, alert=after, media=await service.list_media(db, body.id))


async def _record(
    db: Connection,
    principal: Principal,
    body: AlertUpsert,
    digest: str,
    created: bool | None,
    *,
    before: AlertRead | None,
    after: AlertRead,
) -> DeliveryOutcome:
    """Publish a created or updated alert; audit a late revision, which changes no state."""
    if created is None:
        entry = audit_entry(
            principal,
            action="alert.revision_stored",
            entity_type="alert",
            entity_id=str(body.id),
            department_id=after.department_id,
            detail={"revision": body.revision, "current_revision": after.revision, "content_sha256": digest},
        )
        await audit.append(db, entry)
        return DeliveryOutcome.STORED_LATE
    action = AlertAction.CREATED if created else AlertAction.UPDATED
    await publish(db, principal, action, after, before=before, content_sha256=digest)
    return DeliveryOutcome.CREATED if created else DeliveryOutcome.UPDATED


async def _replay(
    db: Connection, principal: Principal, body: AlertUpsert, stored_sha256: str | None, digest: str
) -> AlertReceipt:
    alert = await service.get(db, principal, body.id)
    if stored_sha256 != digest:
        raise Conflict(
            f"{await alert_title(db, alert)}的第 {body.revision} 次更新已收到且内容不同，请使用新的更新序号",
            "this (alert id, revision) is stored with different content",
            code="alert-revision-conflict",
            extra={"revision": body.revision, "stored_sha256": stored_sha256, "sent_sha256": digest},
        )
    return AlertReceipt(outcome=DeliveryOutcome.REPLAYED, alert=alert, media=await service.list_media(db, body.id))


def media_prefix(site_id: str, camera_id: str) -> str:
    """Where a node stores the media of one camera's alerts (vision.events.evidence writes there)."""
    return f"alerts/{site_id}/{camera_id}/"


def _require_own_media(body: AlertUpsert) -> None:
    """Media only under the alert's own camera's prefix: a node cannot make another camera's objects,
    or a handheld's evidence, evidence of its alert."""
    prefix = media_prefix(body.site_id, body.camera_id)
    wrong = [
        FieldError(f"media[{i}].object_key", f"须以 {prefix} 开头")
        for i, m in enumerate(body.media)
        if not m.object_key.startswith(prefix) or ".." in m.object_key.split("/")
    ]
    if wrong:
        raise InvalidInput(
            f"预警证据的存储路径须在本摄像头的目录 {prefix} 下",
            f"alert media keys must start with {prefix}",
            errors=wrong,
        )


async def _require_known_camera(db: Connection, principal: Principal, body: AlertUpsert) -> None:
    """The site and camera must be registered in the node's department, and the alert not another's."""
    owner = await alerts.department_of(db, id=body.id)
    known = await sites.has_camera(
        db, site_id=body.site_id, camera_id=body.camera_id, department_id=principal.department_id
    )
    if owner not in (None, principal.department_id) or not known:
        raise NotFound(
            f"点位 {body.site_id} 或摄像头 {body.camera_id} 未在本机构登记",
            "site or camera not registered in this department (or alert id belongs elsewhere)",
        )
