"""How a person knows an alert (预警称谓): its site and camera by name, its kind and when it started.

Operators and node keepers never see an alert's UUID on a screen; a message that must point at one
alert names it the way the wall and the dispatched task do.
"""

from __future__ import annotations

import msgspec

from api.cases.clock import CHINA
from mobile_contract.alerts import KIND_NAMES, AlertRead
from mobile_contract.sites import CameraConfig, SiteConfig
from storage import sites
from storage.db import Connection


async def site_and_camera(db: Connection, alert: AlertRead) -> tuple[SiteConfig, CameraConfig | None]:
    """The alert's site as registered now, and its camera (None once removed from the site)."""
    row = await sites.get(db, id=alert.site_id, department_id=alert.department_id)
    assert row is not None  # an alert's site is kept (a foreign key)
    site = msgspec.convert(row["config"], SiteConfig)
    return site, next((c for c in site.cameras if c.id == alert.camera_id), None)


async def alert_title(db: Connection, alert: AlertRead) -> str:
    """「青山塘口 · 东侧高点」2026-12-06 10:00:00 起的“摄像头遮挡”预警."""
    site, camera = await site_and_camera(db, alert)
    started = alert.started_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
    return f"「{site.name} · {camera.name if camera else alert.camera_id}」{started} 起的“{KIND_NAMES[alert.kind]}”预警"
