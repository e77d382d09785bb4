"""Evidence (证据) as a handheld declares it: what was captured, where, when, by which device.

The bytes never pass through the API: the device declares each item in its
record's manifest (hash, size, type), uploads to S3 with a presigned URL
that binds the SHA-256, then asks the server to finalise. An item is
``verified`` only after the server confirmed the stored object's checksum.
"""

from __future__ import annotations

import enum
from typing import Annotated

import msgspec
from msgspec import Meta

from mobile_contract.parties import GeoPoint
from mobile_contract.types import ClientId, Sha256Hex, Timestamp

MAX_EVIDENCE_BYTES = 50 * 1024**3  # S3's own object limit is 5 TiB; 50 GiB covers a shift of 4K video

MediaType = Annotated[
    str,
    Meta(
        pattern=r"^(image|video|audio|application|text)/[A-Za-z0-9.+\-]+$",
        max_length=100,
        description="媒体类型 / MIME type, e.g. image/jpeg, video/mp4, application/pdf",
    ),
]


class EvidenceKind(enum.StrEnum):
    PHOTO = "photo"  # 照片
    VIDEO = "video"  # 视频（执法记录仪）
    AUDIO = "audio"  # 录音
    DOCUMENT = "document"  # 文书、书证


class EvidenceStatus(enum.StrEnum):
    DECLARED = "declared"  # 已登记，待上传
    UPLOADING = "uploading"  # 分片上传中
    VERIFIED = "verified"  # 已核验：对象存在且 SHA-256 一致
    FAILED = "failed"  # 核验失败：内容与登记的哈希不一致


class EvidenceDeclaration(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """证据登记项 / one item of a record's evidence manifest; immutable once declared."""

    id: ClientId
    kind: EvidenceKind
    media_type: MediaType
    size: Annotated[int, Meta(ge=1, le=MAX_EVIDENCE_BYTES, description="字节数 / size in bytes")]
    sha256: Annotated[Sha256Hex, Meta(description="设备端计算的 SHA-256 / computed on the device")]
    captured_at: Annotated[Timestamp, Meta(description="设备拍摄时间 / capture time on the device clock")]
    gps: GeoPoint | None = None
    device_id: Annotated[str, Meta(min_length=4, max_length=64, description="采集终端编号 / capturing device")]
    description: Annotated[str, Meta(max_length=500)] = ""
