"""Constrained field types, declared once and used by every contract module."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

ItemCode = Annotated[
    str,
    Meta(
        pattern=r"^\d{14}$",
        description="监管事项目录编码，14位数字 / supervision item catalogue code, 14 digits",
        examples=["36010100100001"],
    ),
]
RegionCode = Annotated[
    str,
    Meta(
        pattern=r"^\d{6}$",
        description="行政区划代码，6位 / administrative division code, 6 digits",
        examples=["360102"],
    ),
]
Sha256Hex = Annotated[
    str,
    Meta(
        pattern=r"^[0-9a-f]{64}$",
        description="SHA-256，64位小写十六进制 / SHA-256 as 64 lower-case hex digits",
    ),
]
CertificateNo = Annotated[
    str,
    Meta(
        min_length=4,
        max_length=32,
        pattern=r"^[0-9A-Za-z\-]+$",
        description="执法证号 / enforcement certificate number",
    ),
]
ShortText = Annotated[str, Meta(min_length=1, max_length=200)]
LongText = Annotated[str, Meta(max_length=20_000)]
Latitude = Annotated[float, Meta(ge=-90, le=90, description="纬度 WGS-84 / latitude")]
Longitude = Annotated[float, Meta(ge=-180, le=180, description="经度 WGS-84 / longitude")]
AccuracyMetres = Annotated[float, Meta(ge=0, le=100_000, description="定位精度（米） / GPS accuracy in metres")]
Version = Annotated[int, Meta(ge=1, description="版本号 / version number, starts at 1")]
ClientId = Annotated[
    uuid.UUID,
    Meta(description="客户端生成的 UUIDv7 / identifier generated on the device (UUIDv7)"),
]
Timestamp = Annotated[dt.datetime, Meta(tz=True, description="带时区的时间 / time with a UTC offset (RFC 3339)")]


def tag_of(kind: type[msgspec.Struct]) -> str:
    """The tag naming a tagged Struct on the wire (an operation, a step, a zone's kind)."""
    tag = kind.__struct_config__.tag
    assert isinstance(tag, str)  # every tagged Struct of the contract is tagged by name
    return tag
