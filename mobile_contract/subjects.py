"""Supervised subjects (监管对象) and their mining permits (采矿许可证).

A subject is the party of ``mobile_contract.parties``, registered once and
keyed by its Unified Social Credit Code (GB 32100) or, for a natural person,
its citizen ID number (GB 11643); both are checked by ``Party``. Departments
add subjects to their target register (检查对象名录库), the pool random
inspections draw from.

A mining permit's boundary is geographic: WGS-84 longitude/latitude corner
points (拐点) in order. Camera zones (``mobile_contract.sites``) are drawn on
the image instead; a site links the two by ``PermittedArea.permit_no``.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from mobile_contract.messages import at
from mobile_contract.parties import Party, PartyKind
from mobile_contract.types import Latitude, Longitude, RegionCode, ShortText

PermitNo = Annotated[
    str,
    Meta(min_length=1, max_length=64, pattern=r"^\S+$", description="采矿许可证号 / mining permit number"),
]
LonLat = tuple[Longitude, Latitude]
Boundary = Annotated[
    list[LonLat],
    Meta(
        min_length=3,
        max_length=1000,
        description="矿区范围拐点，WGS-84 [经度, 纬度]，按顺序，首尾不重复 / boundary corners, lon/lat in order",
    ),
]
Text = Annotated[str, Meta(max_length=300)]


class SubjectCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """登记监管对象 / register a subject; an existing key is added to the caller's register."""

    party: Party
    region_code: RegionCode
    legal_representative: Annotated[Text, Meta(description="法定代表人或负责人 / legal representative")] = ""
    industry: Annotated[Text, Meta(description="行业 / industry")] = ""


class SubjectUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """修改监管对象 (the key and kind never change) / edit a subject."""

    name: ShortText | UnsetType = UNSET
    region_code: RegionCode | UnsetType = UNSET
    address: Text | UnsetType = UNSET
    phone: Annotated[str, Meta(max_length=30)] | UnsetType = UNSET
    legal_representative: Text | UnsetType = UNSET
    industry: Text | UnsetType = UNSET


class SubjectRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    kind: PartyKind
    key: Annotated[str, Meta(description="统一社会信用代码或身份证号码 / USCC or ID number")]
    name: str
    region_code: str
    address: str
    phone: str
    legal_representative: str
    industry: str
    created_at: dt.datetime
    updated_at: dt.datetime


class SubjectPage(msgspec.Struct):
    items: list[SubjectRead]
    next_cursor: str | None = None


class PermitStatus(enum.StrEnum):
    """许可证状态 / permit status."""

    VALID = "valid"  # 有效
    SUSPENDED = "suspended"  # 暂扣
    REVOKED = "revoked"  # 吊销
    CANCELLED = "cancelled"  # 注销


def _segments_cross(p: LonLat, q: LonLat, r: LonLat, s: LonLat) -> bool:
    """Whether segments pq and rs properly cross (touching ends of neighbours do not count)."""

    def side(a: LonLat, b: LonLat, c: LonLat) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    d1, d2, d3, d4 = side(r, s, p), side(r, s, q), side(p, q, r), side(p, q, s)
    return d1 * d2 < 0 and d3 * d4 < 0


def boundary_problem(points: list[LonLat]) -> str | None:
    """Why ``points`` is not a usable boundary ring, or None: a point-in-polygon test needs a simple polygon."""
    if len(set(points)) != len(points):
        return "矿区范围拐点有重复（首尾无需重复）"
    edges = list(zip(points, points[1:] + points[:1], strict=True))
    for i, (p, q) in enumerate(edges):
        for r, s in edges[i + 2 :]:
            if _segments_cross(p, q, r, s):
                return "矿区范围边界自相交，请按顺序填写拐点"
    if abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in edges)) < 1e-12:
        return "矿区范围面积为零，请检查拐点坐标"
    return None


class PermitFields(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    mine_name: Annotated[ShortText, Meta(description="矿山名称 / mine name")]
    mineral: Annotated[Text, Meta(description="开采矿种 / mineral")] = ""
    valid_from: Annotated[dt.date, Meta(description="有效期起 / valid from")]
    valid_to: Annotated[dt.date, Meta(description="有效期止（含）/ valid to, inclusive")]
    boundary: Boundary

    def __post_init__(self) -> None:
        if self.valid_from > self.valid_to:
            raise ValueError(at("valid_to", "有效期止不得早于有效期起"))
        if problem := boundary_problem(self.boundary):
            raise ValueError(at("boundary", problem))


class PermitCreate(PermitFields, forbid_unknown_fields=True, kw_only=True):
    """登记采矿许可证 / register a mining permit for a subject."""

    permit_no: PermitNo
    subject_id: uuid.UUID


class PermitUpdate(PermitFields, forbid_unknown_fields=True, kw_only=True):
    """修改采矿许可证（延续、变更范围、暂扣、吊销、注销）/ replace a permit's terms; names its base version."""

    base_version: Annotated[int, Meta(ge=1)]
    status: PermitStatus


class PermitRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    permit_no: str
    subject_id: uuid.UUID
    subject_key: str
    subject_name: str
    department_id: uuid.UUID
    mine_name: str
    mineral: str
    valid_from: dt.date
    valid_to: dt.date
    status: PermitStatus
    boundary: list[tuple[float, float]]
    version: int
    updated_at: dt.datetime


def party_key(party: Party) -> str:
    """The register key of a party: its USCC, else (natural person, sole trader) its ID number."""
    key = party.id_number if party.kind is PartyKind.NATURAL_PERSON else party.uscc or party.id_number
    assert key is not None, "Party validation guarantees one of the two"
    return key
