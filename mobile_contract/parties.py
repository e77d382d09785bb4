"""行政相对人: the party an enforcement action is taken against, and where and who."""

from __future__ import annotations

import enum
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from mobile_contract.codes import id_number_problem, uscc_problem
from mobile_contract.messages import at
from mobile_contract.types import AccuracyMetres, CertificateNo, Latitude, Longitude, ShortText


class PartyKind(enum.StrEnum):
    """相对人类型 / kind of party."""

    LEGAL_PERSON = "legal_person"  # 法人
    OTHER_ORGANISATION = "other_organisation"  # 非法人组织
    INDIVIDUAL_BUSINESS = "individual_business"  # 个体工商户
    NATURAL_PERSON = "natural_person"  # 自然人


class Party(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """行政相对人 / the party: organisations by USCC, natural persons by ID number."""

    kind: PartyKind
    name: Annotated[str, Meta(min_length=1, max_length=200, description="名称或姓名 / name")]
    uscc: str | None = msgspec.field(default=None, name="uscc")
    id_number: str | None = None
    address: Annotated[str, Meta(max_length=300)] = ""
    phone: Annotated[str, Meta(max_length=30)] = ""

    def __post_init__(self) -> None:
        if self.kind is PartyKind.NATURAL_PERSON:
            field, problem = (
                "id_number",
                (id_number_problem(self.id_number or "") if self.id_number else "自然人须填写身份证号码"),
            )
        elif self.kind is PartyKind.INDIVIDUAL_BUSINESS and not self.uscc:
            field, problem = (
                "id_number",
                (
                    id_number_problem(self.id_number or "")
                    if self.id_number
                    else "个体工商户须填写统一社会信用代码或经营者身份证号码"
                ),
            )
        else:
            field, problem = "uscc", uscc_problem(self.uscc or "") if self.uscc else "单位须填写统一社会信用代码"
        if problem:
            raise ValueError(at(field, problem))


class GeoPoint(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """GPS 定位 (WGS-84) with its accuracy."""

    lat: Latitude
    lon: Longitude
    accuracy_m: AccuracyMetres


class Place(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """地点 / where the action took place."""

    address: ShortText
    gps: GeoPoint | None = None


class Officer(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """执法人员 taking part, identified by 执法证号."""

    user_id: uuid.UUID
    name: ShortText
    certificate_no: CertificateNo
