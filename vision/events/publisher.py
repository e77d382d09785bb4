"""From incident revisions to queued ``AlertUpsert`` documents (告警发布)."""

from __future__ import annotations

import uuid
import zoneinfo
from collections.abc import Callable
from typing import Any

import msgspec

from mobile_contract.alerts import AlertMedia, AlertUpsert, EvidenceStream, ModelIdentity
from mobile_contract.sites import CameraConfig, SiteConfig
from vision.config import EvidenceConfig
from vision.events.evidence import Picture, object_key, snapshot_jpeg, store_media
from vision.events.incidents import Incident, Reason, Revision
from vision.events.outbox import Outbox
from vision.types import Frame

Listener = Callable[[AlertUpsert], None]
SNAPSHOT_REASONS = frozenset({Reason.OPENED, Reason.CHANGED})  # the revisions that carry a snapshot


class Publisher:
    """Queues every revision of one camera's incidents, with media, in the outbox.

    Delivery removes media from the outbox once no waiting revision needs them, while the incident may
    still issue revisions listing them; so the bytes of a live incident's media stay in memory and are
    put back before each revision (a no-op when still there). ``retain`` forgets finished incidents.
    """

    def __init__(
        self,
        site: SiteConfig,
        camera: CameraConfig,
        *,
        outbox: Outbox,
        model: ModelIdentity | None,
        evidence: EvidenceConfig,
        context: dict[str, Any] | None = None,
        listeners: list[Listener] | None = None,
    ) -> None:
        self.site = site
        self.camera = camera
        self.outbox = outbox
        self.model = model
        self.evidence = evidence
        self.context = context or {}
        self.listeners = listeners or []
        self._media: dict[uuid.UUID, dict[str, bytes]] = {}

    def publish(
        self, revision: Revision, frame: Frame | None = None, stream: EvidenceStream | None = None
    ) -> AlertUpsert:
        """Queue the revision; opening and material changes carry a snapshot of ``frame``, taken from ``stream``."""
        incident = revision.incident
        if frame is not None and revision.reason in SNAPSHOT_REASONS:
            picture = Picture(stream, frame.width, frame.height) if stream else None
            incident.media = [*incident.media, self._snapshot(incident, frame, picture)]
        upsert = self._upsert(revision)
        kept = self._media.get(incident.id, {})
        for media in upsert.media:
            self.outbox.put_media(incident.id, kept[media.sha256])
        self.outbox.put(upsert)
        for listener in self.listeners:
            listener(upsert)
        return upsert

    def retain(self, alert_ids: set[uuid.UUID]) -> None:
        """Forget the media bytes of incidents that will issue no more revisions."""
        self._media = {alert_id: media for alert_id, media in self._media.items() if alert_id in alert_ids}

    def clip_media(self, incident: Incident, data: bytes, picture: Picture | None = None) -> AlertMedia:
        key = object_key(self.site.id, self.camera.id, incident.id, "clip.mp4")
        return self._keep(incident, kind="clip", key=key, data=data, media_type="video/mp4", picture=picture)

    def _keep(
        self, incident: Incident, *, kind: str, key: str, data: bytes, media_type: str, picture: Picture | None
    ) -> AlertMedia:
        media = store_media(
            self.outbox, kind=kind, key=key, alert_id=incident.id, data=data, media_type=media_type, picture=picture
        )
        self._media.setdefault(incident.id, {})[media.sha256] = data
        return media

    def _snapshot(self, incident: Incident, frame: Frame, picture: Picture | None) -> AlertMedia:
        data = snapshot_jpeg(
            frame,
            incident.latest,
            self.camera,
            width=self.evidence.snapshot_width,
            quality=self.evidence.jpeg_quality,
            zone=zoneinfo.ZoneInfo(self.site.timezone),
        )
        key = object_key(self.site.id, self.camera.id, incident.id, f"snapshot-r{incident.revision}.jpg")
        return self._keep(incident, kind="snapshot", key=key, data=data, media_type="image/jpeg", picture=picture)

    def _upsert(self, revision: Revision) -> AlertUpsert:
        incident = revision.incident
        latest = incident.latest
        detail = {
            "reason": revision.reason.value,
            "facts": msgspec.to_builtins(latest.facts),
            "tracks": [
                {"id": t.id, "class": t.cls.value, "score": round(t.score, 3), "box": msgspec.to_builtins(t.box)}
                for t in latest.tracks
            ],
            "site_config_version": self.site.version,
            **self.context,
        }
        return AlertUpsert(
            id=incident.id,
            revision=incident.revision,
            site_id=self.site.id,
            camera_id=self.camera.id,
            kind=incident.key.kind,
            severity=incident.severity,
            started_at=incident.started_at,
            last_seen_at=incident.last_seen_at,
            ended_at=incident.ended_at,
            summary=latest.summary[:500],
            detail=detail,
            model=self.model,
            media=list(incident.media),
        )
