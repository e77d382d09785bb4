"""Evidence (证据) as a handheld declares it, uploads it and reads it back.

The bytes never pass through the API: the device declares each item in its
record's manifest (hash, size, type), asks for an upload ticket, uploads to
S3 with presigned URLs that bind the SHA-256, then asks the server to
finalise. An item is ``verified`` only after the server confirmed that the
stored object's SHA-256 and size equal the declaration. docs/evidence.md
walks through the protocol.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from mobile_contract.parties import GeoPoint
from mobile_contract.types import ClientId, Sha256Hex, Timestamp

MAX_EVIDENCE_BYTES = 50 * 1024**3  # S3's own object limit is 5 TiB; 50 GiB covers a shift of 4K video
MIN_PART_SIZE = 5 * 1024**2  # S3: every part but the last is at least 5 MiB
MAX_PART_SIZE = 5 * 1024**3  # S3: at most 5 GiB per part
MAX_PARTS = 10_000  # S3: at most 10 000 parts per upload
SINGLE_PUT_LIMIT = 64 * 1024**2  # larger items always upload in parts, so a dropped connection costs one part

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


# -- upload ------------------------------------------------------------------------------------

PartNumber = Annotated[int, Meta(ge=1, le=MAX_PARTS, description="分片序号，从1开始 / part number, from 1")]
PartSize = Annotated[
    int, Meta(ge=MIN_PART_SIZE, le=MAX_PART_SIZE, description="分片大小（字节）/ part size in bytes, last part smaller")
]


class UploadMode(enum.StrEnum):
    SINGLE = "single"  # 一次上传（一个预签名 PUT）
    MULTIPART = "multipart"  # 分片上传（可断点续传）


class UploadRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """申请上传 / ask for an upload ticket. Asking again for the same item resumes its open upload."""

    multipart: Annotated[
        bool,
        Meta(
            description="请求分片上传（可断点续传）；超过 64 MiB 的证据总是分片 / prefer multipart; forced above 64 MiB"
        ),
    ] = False
    part_size: PartSize | None = None


class SignedUrl(msgspec.Struct, kw_only=True):
    """预签名请求 / a presigned request: send exactly these headers, before expires_at."""

    url: str
    method: str
    headers: Annotated[
        dict[str, str], Meta(description="必须原样携带的请求头 / headers to send verbatim (they are signed)")
    ]
    expires_at: dt.datetime


class UploadTicket(msgspec.Struct, kw_only=True):
    """上传凭证 / how to upload this item: one signed PUT, or parts of an S3 multipart upload."""

    evidence_id: uuid.UUID
    mode: UploadMode
    status: EvidenceStatus
    size: int
    sha256: Sha256Hex
    put: Annotated[SignedUrl | None, Meta(description="一次上传的地址 / the PUT for mode single")] = None
    upload_id: str | None = None
    part_size: int | None = None
    part_count: int | None = None


class PartChecksum(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    part_number: PartNumber
    sha256: Annotated[Sha256Hex, Meta(description="该分片的 SHA-256 / SHA-256 of this part's bytes")]


class PartUrlRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """申请分片上传地址 / presigned URLs for these parts, each bound to its SHA-256."""

    parts: Annotated[list[PartChecksum], Meta(min_length=1, max_length=100)]


class PartUrl(msgspec.Struct, kw_only=True):
    part_number: int
    put: SignedUrl


class PartUrls(msgspec.Struct, kw_only=True):
    upload_id: str
    parts: list[PartUrl]


class UploadedPart(msgspec.Struct, kw_only=True):
    part_number: int
    size: int
    etag: str


class UploadProgress(msgspec.Struct, kw_only=True):
    """分片进度 / the parts S3 already holds, so an interrupted device resumes where it stopped."""

    evidence_id: uuid.UUID
    upload_id: str
    part_size: int
    part_count: int
    uploaded: list[UploadedPart]
    missing: Annotated[list[int], Meta(description="尚未上传的分片序号 / part numbers still to upload")]


# -- reading -----------------------------------------------------------------------------------


class IntegrityOutcome(enum.StrEnum):
    OK = "ok"  # 一致
    MISMATCH = "mismatch"  # 内容或大小与登记不一致
    MISSING = "missing"  # 对象不存在
    UNREADABLE = "unreadable"  # 对象无法完整读取（存储损坏或不可用）


class CheckTrigger(enum.StrEnum):
    FINALIZE = "finalize"  # 上传完成时核验
    VERIFY = "verify"  # 定期复核（enforce evidence verify）或审核时复核


class IntegrityCheckRead(msgspec.Struct, kw_only=True):
    """一次完整性核验 / one integrity check: what was expected, what the store returned."""

    checked_at: dt.datetime
    trigger: CheckTrigger
    outcome: IntegrityOutcome
    version_id: str | None
    expected_sha256: str
    actual_sha256: str | None
    expected_size: int
    actual_size: int | None
    detail: str
    checked_by: uuid.UUID | None


class LegalHoldRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """设置或解除法律保全 / place or lift a legal hold."""

    enabled: bool
    reason: Annotated[str, Meta(min_length=1, max_length=500, description="原因 / why (kept in history)")]


class LegalHoldRead(msgspec.Struct, kw_only=True):
    enabled: bool
    reason: str
    version_id: str
    set_by: uuid.UUID
    set_at: dt.datetime


class EvidenceRead(msgspec.Struct, kw_only=True):
    """证据详情 / an item: its declaration, upload status, integrity history and legal holds."""

    declaration: EvidenceDeclaration
    record_id: uuid.UUID
    department_id: uuid.UUID
    status: EvidenceStatus
    declared_at: dt.datetime
    verified_at: dt.datetime | None
    version_id: Annotated[str | None, Meta(description="已核验的对象版本 / the verified S3 object version")]
    failure_reason: str | None
    legal_hold: bool
    integrity: Annotated[list[IntegrityCheckRead], Meta(description="核验记录，最新在前 / checks, newest first")]
    legal_holds: Annotated[list[LegalHoldRead], Meta(description="保全记录，最新在前 / holds, newest first")]
