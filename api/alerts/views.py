"""What the console's alert pages show (预警页面视图): cards for the wall and the detail of one alert.

Built from the same service reads as the API (department scope included); this module only adds
what a person needs beside the codes: site and camera names, the zones in force when the alert was
raised, the snapshot to show, and who did what, by name.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from api.alerts import service
from api.auth.principal import Principal
from api.console.labels import label
from api.console.names import NameBook
from api.console.scene import Scene, scene
from api.sites import service as sites_service
from mobile_contract.alerts import AlertDetail, AlertMediaRead, AlertRead, AlertRevisionRead, InspectorChoice
from mobile_contract.sites import CameraConfig, SiteConfig
from storage import alerts
from storage.db import Connection


class Card(msgspec.Struct, kw_only=True):
    """One alert on the wall (预警卡片)."""

    alert: AlertRead
    site_name: str
    camera_name: str
    snapshot: AlertMediaRead | None
    scene: Scene


class RevisionView(msgspec.Struct, kw_only=True):
    revision: AlertRevisionRead
    snapshot: AlertMediaRead | None
    scene: Scene


class HistoryEntry(msgspec.Struct, kw_only=True):
    """One step of the handling history: what happened, when, by whom, with what note."""

    action: str
    at: Any
    who: str
    note: str = ""


class DetailView(msgspec.Struct, kw_only=True):
    card: Card
    detail: AlertDetail
    revisions: list[RevisionView]
    clips: list[AlertMediaRead]
    history: list[HistoryEntry]
    inspectors: list[InspectorChoice]
    inspector_name: str


class SiteBook:
    """Site configs by version, read once per page (the zones an alert was raised under)."""

    def __init__(self, db: Connection, principal: Principal) -> None:
        self.db, self.principal = db, principal
        self.versions: dict[str, dict[int, SiteConfig]] = {}

    async def config(self, site_id: str, version: int | None = None) -> SiteConfig | None:
        if site_id not in self.versions:
            found = await sites_service.versions(self.db, self.principal, site_id)
            self.versions[site_id] = {v.version: v.config for v in found}
        known = self.versions[site_id]
        return known.get(version or 0) or (known[max(known)] if known else None)

    async def camera(self, site_id: str, camera_id: str, version: int | None = None) -> CameraConfig | None:
        config = await self.config(site_id, version)
        return next((c for c in config.cameras if c.id == camera_id), None) if config else None


async def cards(
    db: Connection, principal: Principal, items: list[AlertRead], book: SiteBook | None = None
) -> list[Card]:
    book = book or SiteBook(db, principal)
    snapshots = await alerts.latest_snapshots(db, alert_ids=[a.id for a in items])
    return [await _card(book, alert, snapshots.get(alert.id)) for alert in items]


async def _card(book: SiteBook, alert: AlertRead, snapshot: Any) -> Card:
    version = alert.detail.get("site_config_version")
    site = await book.config(alert.site_id)
    camera = await book.camera(alert.site_id, alert.camera_id, version if isinstance(version, int) else None)
    return Card(
        alert=alert,
        site_name=site.name if site else alert.site_id,
        camera_name=camera.name if camera else alert.camera_id,
        snapshot=service.media_read(snapshot) if snapshot else None,
        scene=scene(camera, alert.detail),
    )


async def detail_view(db: Connection, principal: Principal, alert_id: uuid.UUID) -> DetailView:
    detail = await service.detail(db, principal, alert_id)
    book = SiteBook(db, principal)
    [card] = await cards(db, principal, [detail], book)
    by_key = {m.object_key: m for m in detail.media}
    revisions = [await _revision(book, r, by_key) for r in reversed(detail.revisions)]
    names = NameBook(db)
    return DetailView(
        card=card,
        detail=detail,
        revisions=revisions,
        clips=[m for m in detail.media if m.kind == "clip"],
        history=[await _history_entry(names, row) for row in await alerts.events_of(db, alert_id=alert_id)],
        inspectors=await service.dispatch_candidates(db, principal, alert_id),
        inspector_name=await names.name(detail.inspector_id),
    )


async def _revision(book: SiteBook, revision: AlertRevisionRead, by_key: dict[str, AlertMediaRead]) -> RevisionView:
    content = revision.content
    shots = [by_key[m.object_key] for m in content.media if m.kind == "snapshot" and m.object_key in by_key]
    version = content.detail.get("site_config_version")
    camera = await book.camera(content.site_id, content.camera_id, version if isinstance(version, int) else None)
    return RevisionView(revision=revision, snapshot=shots[-1] if shots else None, scene=scene(camera, content.detail))


HISTORY_FIELDS = {  # action → (who did it, the note it left)
    "acknowledged": ("acknowledged_by", "acknowledge_note"),
    "dispatched": ("dispatched_by", "dispatch_note"),
    "closed": ("closed_by", "feedback"),
}


async def _history_entry(names: NameBook, row: Any) -> HistoryEntry:
    action, payload = row["action"], row["payload"]
    who_field, note_field = HISTORY_FIELDS.get(action, ("", ""))
    who = await names.name(payload.get(who_field)) if who_field else "视频分析节点"
    note = payload.get(note_field) or ""
    if action == "closed":
        note = f"{label(payload.get('outcome'))}：{note}"
    if action == "dispatched":
        note = f"派遣 {await names.name(payload.get('inspector_id'))}" + (f"：{note}" if note else "")
    if action == "handed_over":
        who, note = "平台", payload["handover"]["reason"]
    return HistoryEntry(action=action, at=row["occurred_at"], who=who, note=note)
