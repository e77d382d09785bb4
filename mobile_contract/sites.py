"""Monitored sites and their cameras (非现场监管点位), as a versioned config document.

A site config is written by a monitoring centre (YAML or JSON), validated by
these Structs, stored in the API's camera registry with a version number,
and read by the vision pipeline. Zones are drawn on each camera's image in
normalised coordinates (0–1, origin top-left), since cameras are fixed.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import uuid
from typing import Annotated, Literal

import msgspec
import yaml
from msgspec import Meta

TIME_OF_DAY = re.compile(r"^([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")
Unit = Annotated[float, Meta(ge=0.0, le=1.0)]
Point = tuple[Unit, Unit]
Polygon = Annotated[list[Point], Meta(min_length=3, max_length=64, description="多边形顶点（归一化坐标）/ polygon")]
Name = Annotated[str, Meta(min_length=1, max_length=100)]
# Mainland China with its islands, generously: a coordinate outside is a typing or datum mistake.
ChinaLongitude = Annotated[float, Meta(ge=73.0, le=136.0, description="经度（东经，73–136）/ longitude east")]
ChinaLatitude = Annotated[float, Meta(ge=3.0, le=54.0, description="纬度（北纬，3–54）/ latitude north")]


class CoordinateSystem(enum.StrEnum):
    """坐标系 / datum of a coordinate: Chinese web maps (高德、腾讯、天地图 API) use GCJ-02, GPS gives WGS-84."""

    GCJ02 = "gcj02"  # 国测局坐标（火星坐标）：高德、腾讯地图
    WGS84 = "wgs84"  # GPS 原始坐标：手持终端定位、天地图


class Location(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """位置 / where a site or camera is: coordinates in a stated datum, and the address to go to."""

    coordinate_system: Annotated[CoordinateSystem, Meta(description="坐标系 / datum, stated explicitly")]
    longitude: ChinaLongitude
    latitude: ChinaLatitude
    address: Annotated[str, Meta(min_length=1, max_length=200, description="地址 / address to go to")]


class SiteKind(enum.StrEnum):
    """点位类型 / kind of monitored site."""

    QUARRY = "quarry"  # 采石场 / 塘口
    HILLSIDE = "hillside"  # 破损山体
    HAUL_ROAD = "haul_road"  # 山石运输道路


class DomainClass(enum.StrEnum):
    """What the detector's classes mean to an inspector (识别目标类别)."""

    EXCAVATOR = "excavator"  # 挖掘机
    LOADER = "loader"  # 装载机
    DRILL_RIG = "drill_rig"  # 钻机
    DUMP_TRUCK = "dump_truck"  # 自卸车 / 渣土车
    PERSON = "person"  # 人员


MACHINERY = frozenset({DomainClass.EXCAVATOR, DomainClass.LOADER, DomainClass.DRILL_RIG})
CLASS_NAMES = {
    DomainClass.EXCAVATOR: "挖掘机",
    DomainClass.LOADER: "装载机",
    DomainClass.DRILL_RIG: "钻机",
    DomainClass.DUMP_TRUCK: "自卸车",
    DomainClass.PERSON: "人员",
}


class _Zone(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="kind"):
    name: Name


class PermittedArea(_Zone, frozen=True, tag="permitted"):
    """采矿许可范围: machinery here is lawful only while the permit is valid."""

    polygon: Polygon
    permit_no: Annotated[str, Meta(min_length=1, max_length=64, description="采矿许可证号 / mining permit number")]
    valid_from: dt.date
    valid_to: dt.date
    dwell_s: Annotated[float, Meta(ge=0, le=86_400)] = 120.0


class ForbiddenZone(_Zone, frozen=True, tag="forbidden"):
    """禁采区: machinery or trucks staying longer than ``dwell_s`` raise an alert."""

    polygon: Polygon
    dwell_s: Annotated[float, Meta(ge=0, le=86_400)] = 60.0
    classes: frozenset[DomainClass] = frozenset(MACHINERY | {DomainClass.DUMP_TRUCK})


class CountLine(_Zone, frozen=True, tag="count_line"):
    """运输计数线: crossings from the ``a``→``b`` left side to its right count as outbound (出场)."""

    a: Point
    b: Point
    classes: frozenset[DomainClass] = frozenset({DomainClass.DUMP_TRUCK})


class LandformZone(_Zone, frozen=True, tag="landform"):
    """地貌变化监测区: compared with a reference image for fresh excavation."""

    polygon: Polygon
    min_changed_fraction: Annotated[float, Meta(gt=0, le=1)] = 0.05
    persist_s: Annotated[float, Meta(ge=0, le=7 * 86_400)] = 300.0


Zone = PermittedArea | ForbiddenZone | CountLine | LandformZone


class ProhibitedHours(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """禁止作业时段 (local time); ``start`` after ``end`` wraps past midnight."""

    start: dt.time
    end: dt.time
    weekdays: frozenset[Annotated[int, Meta(ge=1, le=7)]] = frozenset(range(1, 8))


STREAM_URL = (
    "主码流地址（证据）/ main stream, for evidence: rtsp://, rtmp://, http(s)://….flv (HTTP-FLV), …m3u8 (HLS) or a"
    " file; no user name or password (set them with PUT /cameras/{site}/{camera}/credentials)"
)
SUB_STREAM_URL = "子码流地址（分析用，可省略）/ sub-stream analysed instead of the main stream; zones stay normalised"


class CameraConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One fixed camera (监控摄像头) and the zones drawn on its image."""

    id: Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
    name: Name
    url: Annotated[str, Meta(min_length=1, max_length=1000, description=STREAM_URL)]
    sub_url: Annotated[str, Meta(min_length=1, max_length=1000, description=SUB_STREAM_URL)] | None = None
    analysis_hz: Annotated[float, Meta(gt=0, le=25, description="分析频率 / frames analysed per second")] = 1.0
    zones: list[Zone] = []
    reference_image: str | None = None  # S3 key or path of the landform reference
    offline_after_s: Annotated[float, Meta(gt=0, le=3600)] = 30.0
    location: Annotated[Location | None, Meta(description="摄像头位置（缺省为点位位置）/ camera position")] = None


class SiteConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """点位配置 / site configuration document (versioned)."""

    id: Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
    name: Name
    kind: SiteKind
    region_code: Annotated[str, Meta(pattern=r"^\d{6}$")]
    cameras: Annotated[list[CameraConfig], Meta(min_length=1)]
    timezone: str = "Asia/Shanghai"
    location: Annotated[Location | None, Meta(description="点位位置与地址 / where the site is")] = None
    closed: bool = False  # 停产/关停: any truck movement is an alert
    prohibited_hours: list[ProhibitedHours] = []
    version: Annotated[int, Meta(ge=1)] = 1
    department_id: uuid.UUID | None = None


class _SiteYaml(yaml.SafeLoader):
    """YAML as people write site configs: ``start: 22:00`` is a time of day, not YAML 1.1's base-60
    integer 1320, and a date may be written with or without quotes."""


def _time_of_day(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    text = str(loader.construct_scalar(node))
    return text if text.count(":") == 2 else f"{text}:00"  # RFC 3339 wants the seconds


_SiteYaml.yaml_implicit_resolvers = {ch: list(v) for ch, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
for _digit in "0123456789":  # checked before the integer resolver
    _SiteYaml.yaml_implicit_resolvers.setdefault(_digit, []).insert(0, ("!time-of-day", TIME_OF_DAY))
_SiteYaml.add_constructor("!time-of-day", _time_of_day)


def load_site_config(data: bytes, *, format: Literal["json", "yaml"] = "json") -> SiteConfig:
    """Decode and validate a site config; msgspec.ValidationError names the bad field."""
    if format == "yaml":
        return msgspec.convert(yaml.load(data, Loader=_SiteYaml), SiteConfig)  # noqa: S506 - a SafeLoader
    return msgspec.json.decode(data, type=SiteConfig)


class SiteRead(msgspec.Struct, kw_only=True):
    """点位登记 / a registered site: its current config version and whether vision nodes run it."""

    id: str
    department_id: Annotated[uuid.UUID, Meta(description="所属实施机构 / owning department")]
    version: Annotated[int, Meta(ge=1, description="当前配置版本 / current config version")]
    active: Annotated[bool, Meta(description="是否启用（停用后视频节点不再分析）/ false once deactivated")]
    config: SiteConfig
    config_sha256: Annotated[
        str, Meta(description="配置规范化 JSON 的 SHA-256 / SHA-256 of the config's canonical JSON")
    ]
    created_at: dt.datetime
    updated_at: dt.datetime
    updated_by: uuid.UUID


class SiteVersionRead(msgspec.Struct, kw_only=True):
    """点位配置历史版本 / one stored config version: who changed it, from which device, when."""

    version: Annotated[int, Meta(ge=1)]
    config: SiteConfig
    config_sha256: str
    changed_by: uuid.UUID
    device_id: str | None
    changed_at: dt.datetime


class SitePage(msgspec.Struct):
    """一页点位 / a page of sites; pass ``next_cursor`` as ``cursor`` for the next page."""

    items: list[SiteRead]
    next_cursor: str | None = None
