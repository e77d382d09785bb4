"""Alert statistics per site and camera (预警统计): how many alerts, how they ended, how often falsely.

``GET /alerts/statistics`` counts the alerts that started in a period of local days (Asia/Shanghai)
in the caller's department. The false-alarm rate (误报率) is the share of false alarms among the
alerts closed with an outcome; open ones are not counted in it, as nobody has judged them yet.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import Meta

from mobile_contract.alerts import AlertOutcome

FalseAlarmRate = (
    Annotated[float, Meta(ge=0, le=1, description="误报率 = 误报 ÷ 已办结（无办结时为空）/ false alarms ÷ closed")]
    | None
)


class AlertCounts(msgspec.Struct, kw_only=True):
    """Counts of one camera, one site or the whole department."""

    alerts: Annotated[int, Meta(description="预警数 / alerts that started in the period")]
    open: Annotated[int, Meta(description="未办结 / not yet closed")]
    outcomes: Annotated[dict[AlertOutcome, int], Meta(description="按处置结果 / closed, by outcome")]
    false_alarm_rate: FalseAlarmRate


class CameraStatistics(AlertCounts, kw_only=True):
    camera_id: str
    camera_name: str


class SiteStatistics(AlertCounts, kw_only=True):
    site_id: str
    site_name: str
    cameras: list[CameraStatistics]


class AlertStatistics(msgspec.Struct, kw_only=True):
    period_from: dt.date
    period_to: dt.date
    total: AlertCounts
    sites: list[SiteStatistics]
