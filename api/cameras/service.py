"""Camera liveness and health (设备状态).

``record`` keeps a vision node's report; ``health`` judges every camera of the department's active
sites from the latest report and the open alerts:

- *blinded* (遮挡/失焦/移位/冻结): an open covered, defocused, moved or frozen alert;
- *offline*: an open offline alert, or the node still reports but its last frame is older than the
  camera's ``offline_after_s``;
- *unwatched* (无人分析): no report received for longer than ``offline_after_s`` (server clock);
- *ok* otherwise.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from api.auth.principal import Principal
from api.sites import service as sites_service
from mobile_contract.alerts import AlertKind
from mobile_contract.cameras import CameraHealth, CameraStatus, LivenessReceipt, LivenessReport
from mobile_contract.problems import FieldError, NotFound
from mobile_contract.sites import CameraConfig, SiteRead
from storage import cameras
from storage.db import Connection

BLINDING = frozenset(
    {AlertKind.CAMERA_COVERED, AlertKind.CAMERA_DEFOCUSED, AlertKind.CAMERA_MOVED, AlertKind.CAMERA_FROZEN}
)
RANK = {CameraStatus.BLINDED: 0, CameraStatus.OFFLINE: 1, CameraStatus.UNWATCHED: 2, CameraStatus.OK: 3}


async def record(db: Connection, principal: Principal, report: LivenessReport) -> LivenessReceipt:
    """Keep the report; every camera must be registered in the node's department."""
    pairs = [(c.site_id, c.camera_id) for c in report.cameras]
    if unknown := await cameras.unregistered(db, department_id=principal.department_id, cameras=pairs):
        index = {pair: i for i, pair in enumerate(pairs)}
        names = "、".join(f"{site}/{camera}" for site, camera in unknown[:5])
        raise NotFound(
            f"以下摄像头未在本机构登记：{names}",
            "cameras not registered in this department",
            errors=[FieldError(f"cameras[{index[pair]}].camera_id", "not registered") for pair in unknown],
        )
    await cameras.upsert_liveness(
        db,
        department_id=principal.department_id,
        node=report.node,
        user_id=principal.user_id,
        node_time=report.sent_at,
        cameras=report.cameras,
    )
    return LivenessReceipt(stored=len(report.cameras))


async def health(db: Connection, principal: Principal) -> list[CameraHealth]:
    """Every camera of the department's active sites, worst first."""
    scope = sites_service.scope(principal)
    reports = {(r["site_id"], r["camera_id"]): r for r in await cameras.liveness_of(db, department_id=scope)}
    alerts = {(r["site_id"], r["camera_id"]): r for r in await cameras.open_alerts_by_camera(db, department_id=scope)}
    now = dt.datetime.now(dt.UTC)
    board = [
        _camera_health(site, camera, reports.get((site.id, camera.id)), alerts.get((site.id, camera.id)), now)
        for site in await _active_sites(db, principal)
        for camera in site.config.cameras
    ]
    return sorted(board, key=lambda c: (RANK[c.status], c.site_name, c.camera_name))


async def _active_sites(db: Connection, principal: Principal) -> list[SiteRead]:
    found, cursor = [], None
    while True:
        page = await sites_service.list_page(db, principal, active=True, cursor=cursor, limit=500)
        found += page.items
        if (cursor := page.next_cursor) is None:
            return found


def _camera_health(site: SiteRead, camera: CameraConfig, report: Any, alerts: Any, now: dt.datetime) -> CameraHealth:
    tamper = sorted(alerts["tamper_kinds"]) if alerts else []
    measured = {k: report[k] for k in ("frames_analysed", "analysis_hz", "lag_s", "detector_ms")} if report else {}
    return CameraHealth(
        site_id=site.id,
        site_name=site.config.name,
        camera_id=camera.id,
        camera_name=camera.name,
        department_id=site.department_id,
        status=judge(camera, report, tamper, now),
        offline_after_s=camera.offline_after_s,
        node=report["node"] if report else None,
        reported_at=report["received_at"] if report else None,
        last_frame_at=report["last_frame_at"] if report else None,
        frames_analysed=measured.get("frames_analysed"),
        analysis_hz=measured.get("analysis_hz"),
        lag_s=measured.get("lag_s"),
        detector_ms=measured.get("detector_ms"),
        open_alerts=alerts["open_alerts"] if alerts else 0,
        open_tamper_kinds=tamper,
    )


def judge(camera: CameraConfig, report: Any, tamper_kinds: list[str], now: dt.datetime) -> CameraStatus:
    threshold = dt.timedelta(seconds=camera.offline_after_s)
    if BLINDING.intersection(tamper_kinds):
        return CameraStatus.BLINDED
    if AlertKind.CAMERA_OFFLINE in tamper_kinds:
        return CameraStatus.OFFLINE
    if report is None or now - report["received_at"] > threshold:
        return CameraStatus.UNWATCHED
    if report["last_frame_at"] is None or report["received_at"] - report["last_frame_at"] > threshold:
        return CameraStatus.OFFLINE
    return CameraStatus.OK
