"""Camera liveness (摄像头运行状态): what vision nodes report, and each camera's health as the API judges it.

A vision node reports every camera it runs, every few seconds (``POST /cameras/liveness``). The API
keeps the latest report per camera and judges health from it and from open alerts: a camera nobody
has reported for longer than its ``offline_after_s`` is *unwatched* (无人分析), whatever its own
pipeline would say, since no pipeline is running to say it.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from mobile_contract.sites import SiteConfig
from mobile_contract.types import Timestamp

CameraId = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]


class CameraLiveness(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One camera as its vision node sees it now (单路运行状态)."""

    site_id: CameraId
    camera_id: CameraId
    frames_analysed: Annotated[int, Meta(ge=0, description="本次启动以来分析的帧数 / frames analysed since start")]
    analysis_hz: Annotated[float, Meta(ge=0, le=1000, description="上个周期实际分析帧率 / rate achieved")]
    lag_s: Annotated[float, Meta(ge=0, description="最新分析帧落后实时的秒数 / behind live")] | None = None
    detector_ms: Annotated[float, Meta(ge=0, description="每帧检测耗时（毫秒）/ detector time")] | None = None
    last_frame_at: Annotated[Timestamp | None, Meta(description="最新分析帧的时间 / last frame analysed")] = None


class LivenessReport(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """运行状态上报 / a vision node's report on every camera it runs."""

    node: Annotated[str, Meta(min_length=1, max_length=100, description="节点名称 / the node's name")]
    sent_at: Annotated[Timestamp, Meta(description="节点发送时间（仅供参考）/ the node's clock")]
    cameras: Annotated[list[CameraLiveness], Meta(min_length=1, max_length=2000)]


class LivenessReceipt(msgspec.Struct, kw_only=True):
    stored: Annotated[int, Meta(description="已记录的摄像头数 / cameras recorded")]


class CameraStatus(enum.StrEnum):
    """摄像头健康状态, worst first."""

    BLINDED = "blinded"  # 遮挡、失焦、移位或画面冻结（有未办结预警）
    OFFLINE = "offline"  # 离线（有未办结预警，或节点在报但已无画面）
    UNWATCHED = "unwatched"  # 无人分析：超过离线阈值没有节点上报
    OK = "ok"  # 正常


class CameraHealth(msgspec.Struct, kw_only=True):
    """设备状态 / one camera of the department at a glance."""

    site_id: str
    site_name: str
    camera_id: str
    camera_name: str
    department_id: uuid.UUID
    status: CameraStatus
    offline_after_s: float
    node: str | None
    reported_at: Annotated[dt.datetime | None, Meta(description="最近一次上报（服务器时间）/ last report received")]
    last_frame_at: dt.datetime | None
    frames_analysed: int | None
    analysis_hz: float | None
    lag_s: float | None
    detector_ms: float | None
    open_alerts: Annotated[int, Meta(description="未办结预警数 / alerts not closed")]
    open_tamper_kinds: Annotated[list[str], Meta(description="未办结的遮挡/离线类预警 / open tamper kinds")]


class CameraRef(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """一路摄像头 / a camera by site and camera id."""

    site_id: CameraId
    camera_id: CameraId


class HeldLease(CameraRef, frozen=True, forbid_unknown_fields=True):
    """A lease a node runs now, with the generation it was granted (租约代次)."""

    generation: Annotated[int, Meta(ge=1, description="授予时的租约代次 / generation as granted")]


class LeaseRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """租约续期与申领 / a vision node renews what it runs and asks for more, up to its capacity."""

    node: Annotated[str, Meta(min_length=1, max_length=100, description="节点名称 / the node's name")]
    max_streams: Annotated[int, Meta(ge=0, le=1000, description="最多同时分析的路数 / streams it can run")]
    running: Annotated[list[HeldLease], Meta(max_length=1000, description="正在分析的摄像头 / cameras it runs")] = []


class CameraLease(msgspec.Struct, kw_only=True):
    """A camera the node may run until ``expires_at``, unless renewed (摄像头分析租约)."""

    site_id: str
    camera_id: str
    generation: Annotated[int, Meta(description="租约代次，每次转交加一 / rises at every hand-over")]
    expires_at: dt.datetime
    release: Annotated[bool, Meta(description="超出公平份额：请停止后交还 / over fair share: stop, hand back")] = False


class LeaseGrant(msgspec.Struct, kw_only=True):
    """What the node may run now: anything it runs that is not listed here it must stop at once.

    ``sites`` are the configs of the sites of those cameras, with the stream credentials written into
    the camera URLs: only the node holding a camera's lease ever receives them.
    """

    node: str
    lease_s: Annotated[float, Meta(description="租约时长（秒）/ a lease lasts this long unless renewed")]
    renew_every_s: Annotated[float, Meta(description="建议续期间隔 / renew this often")]
    fair_share: Annotated[int, Meta(description="按能力分配的份额 / the node's share of the cameras")]
    cameras: list[CameraLease]
    sites: list[SiteConfig]


class CameraCredentials(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """取流凭据 / the user name and password a camera's streams need; written, never read back."""

    username: Annotated[str, Meta(min_length=1, max_length=200)]
    password: Annotated[str, Meta(min_length=1, max_length=200)]


class CredentialsReceipt(msgspec.Struct, kw_only=True):
    """凭据已保存 / the credentials are stored (they are not answered back)."""

    site_id: str
    camera_id: str
    set_at: dt.datetime
