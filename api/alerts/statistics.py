"""Alert statistics per site and camera (预警统计), for supervisors and the monitoring centre.

Read-only: counts of the department's alerts that started in a period, by how they were closed, with
the false-alarm rate (误报率 = 误报 ÷ 已办结). Sites and cameras are named from the registry's
current configuration; a camera since removed from it keeps its id as its name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import asyncpg

from api.auth.principal import Principal
from api.periods import check_period
from api.sites.service import scope
from mobile_contract.alert_statistics import AlertCounts, AlertStatistics, CameraStatistics, SiteStatistics
from mobile_contract.alerts import AlertOutcome
from storage import alert_statistics, sites
from storage.db import Connection

SITES_NAMED = 1000


async def per_site_and_camera(
    conn: Connection, principal: Principal, *, period_from: dt.date, period_to: dt.date
) -> AlertStatistics:
    check_period(period_from, period_to)
    department = scope(principal)
    rows = await alert_statistics.per_camera(
        conn, department_id=department, period_from=period_from, period_to=period_to
    )
    names = await _names(conn, department)
    by_site: dict[str, list[CameraStatistics]] = {}
    for row in rows:
        camera_name = names.get((row["site_id"], row["camera_id"]), row["camera_id"])
        by_site.setdefault(row["site_id"], []).append(
            CameraStatistics(camera_id=row["camera_id"], camera_name=camera_name, **_counts(row))
        )
    found = [
        SiteStatistics(site_id=s, site_name=names.get((s, ""), s), cameras=cams, **_summed(cams))
        for s, cams in by_site.items()
    ]
    total = AlertCounts(**_summed(found))
    return AlertStatistics(period_from=period_from, period_to=period_to, total=total, sites=found)


async def _names(conn: Connection, department) -> dict[tuple[str, str], str]:
    """(site, "") → site name and (site, camera) → camera name, from the registry's current configs."""
    found: dict[tuple[str, str], str] = {}
    for row in await sites.list_page(conn, department_id=department, active=None, after_id=None, limit=SITES_NAMED):
        config = row["config"]
        found[(row["id"], "")] = config["name"]
        found |= {(row["id"], camera["id"]): camera["name"] for camera in config["cameras"]}
    return found


def _counts(row: asyncpg.Record) -> dict:
    outcomes = {outcome: row[outcome.value] for outcome in AlertOutcome}
    return {"alerts": row["alerts"], "open": row["open"], "outcomes": outcomes, "false_alarm_rate": _rate(outcomes)}


def _summed(parts: Iterable[AlertCounts]) -> dict:
    parts = list(parts)
    outcomes = {outcome: sum(p.outcomes[outcome] for p in parts) for outcome in AlertOutcome}
    return {
        "alerts": sum(p.alerts for p in parts),
        "open": sum(p.open for p in parts),
        "outcomes": outcomes,
        "false_alarm_rate": _rate(outcomes),
    }


def _rate(outcomes: dict[AlertOutcome, int]) -> float | None:
    closed = sum(outcomes.values())
    return outcomes[AlertOutcome.FALSE_ALARM] / closed if closed else None
