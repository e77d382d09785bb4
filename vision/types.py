"""Typed records passed between the pipeline's stages (流水线各阶段之间的数据).

source → sampler → motion gate → detector → tracker → rules → events: each
arrow carries one of these Structs, never a tuple or a dict. Boxes are in
normalised image coordinates (0–1, origin top-left), the same frame of
reference as the zones in a site config, so no stage needs the resolution.
"""

from __future__ import annotations

import datetime as dt
import enum

import msgspec
import numpy as np

from mobile_contract.alerts import AlertKind, Severity
from mobile_contract.sites import DomainClass


class Box(msgspec.Struct, frozen=True, array_like=True):
    """An axis-aligned box in normalised coordinates."""

    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1

    @property
    def area(self) -> float:
        return max(0.0, self.width) * max(0.0, self.height)

    @property
    def anchor(self) -> tuple[float, float]:
        """Bottom centre: where a vehicle touches the ground, the point zones are tested with."""
        return ((self.x1 + self.x2) / 2, self.y2)

    def union(self, other: Box) -> Box:
        return Box(min(self.x1, other.x1), min(self.y1, other.y1), max(self.x2, other.x2), max(self.y2, other.y2))

    def intersects(self, other: Box) -> bool:
        return self.x1 < other.x2 and other.x1 < self.x2 and self.y1 < other.y2 and other.y1 < self.y2

    def clipped(self) -> Box:
        return Box(max(0.0, self.x1), max(0.0, self.y1), min(1.0, self.x2), min(1.0, self.y2))


class Packet(msgspec.Struct, frozen=True):
    """One compressed video packet as demuxed from the stream, kept for evidence clips."""

    data: bytes
    pts: int
    dts: int
    duration: int
    key: bool
    pts_s: float  # stream time in seconds since the stream's first packet


class Frame(msgspec.Struct):
    """A decoded frame chosen for analysis (分析帧).

    ``picture`` is the decoder's own frame (``av.VideoFrame``) or, for frames
    built in memory, a BGR array; it is converted to pixels only when a stage
    needs them. ``grey`` is the small grey image every cheap stage works on.
    """

    camera_id: str
    seq: int
    pts_s: float
    at: dt.datetime
    key: bool
    width: int
    height: int
    grey: np.ndarray  # uint8, the analysis width (320 px)
    contrast: np.ndarray  # float32 local contrast of ``grey``: brightness divided out, see vision.motion.gate
    picture: object
    whole: np.ndarray | None = None  # BGR scaled for a whole-frame detector pass, when made ahead of time


class Motion(msgspec.Struct, frozen=True):
    """What the motion gate (运动检测) saw in one frame."""

    regions: list[Box]
    changed_fraction: float
    mask: np.ndarray  # bool, same size as the frame's grey image
    relit: bool = False  # a global change (day/night switch) reset the background

    def fraction_in(self, box: Box) -> float:
        """Share of the box's pixels that changed: tells a working machine from a parked one."""
        h, w = self.mask.shape
        x1, y1 = int(box.x1 * w), int(box.y1 * h)
        x2, y2 = max(x1 + 1, int(np.ceil(box.x2 * w))), max(y1 + 1, int(np.ceil(box.y2 * h)))
        window = self.mask[max(0, y1) : y2, max(0, x1) : x2]
        return float(window.mean()) if window.size else 0.0


class Detection(msgspec.Struct, frozen=True):
    """One object the detector found, already mapped to a domain class (识别结果)."""

    box: Box
    cls: DomainClass
    score: float
    label: str  # the model's own class name, kept for the record


class Track(msgspec.Struct, frozen=True):
    """An object followed across frames with a stable ID (跟踪目标)."""

    id: int
    box: Box
    cls: DomainClass
    score: float
    moving: bool  # changed pixels inside the box this frame: the machine is working, not parked


class TamperKind(enum.StrEnum):
    COVERED = "covered"
    DEFOCUSED = "defocused"
    MOVED = "moved"
    FROZEN = "frozen"
    OFFLINE = "offline"


class DwellFacts(msgspec.Struct, frozen=True):
    zone: str
    dwell_s: float
    classes: list[str]
    permit_no: str | None = None


class HoursFacts(msgspec.Struct, frozen=True):
    window: str  # e.g. "22:00–06:00"
    local_time: str
    classes: list[str]


class CrossingFacts(msgspec.Struct, frozen=True):
    line: str
    outbound: int
    inbound: int
    direction: str  # of the crossing that raised this candidate


class LandformFacts(msgspec.Struct, frozen=True):
    zone: str
    changed_fraction: float
    persisted_s: float


class TamperFacts(msgspec.Struct, frozen=True):
    tamper: TamperKind
    measure: float  # the statistic that tripped, see vision.rules.tamper
    threshold: float
    suspends_rules: bool = False  # the picture is unusable: the camera's other rules are not evaluated


Facts = DwellFacts | HoursFacts | CrossingFacts | LandformFacts | TamperFacts


class IncidentKey(msgspec.Struct, frozen=True):
    """What makes two candidates the same continuing incident (同一事件)."""

    camera_id: str
    kind: AlertKind
    zone: str = ""


class AlertCandidate(msgspec.Struct, frozen=True):
    """A rule's finding in one frame; the event stage folds these into incidents."""

    key: IncidentKey
    severity: Severity
    at: dt.datetime
    summary: str
    facts: Facts
    tracks: list[Track] = []
    regions: list[Box] = []  # non-track evidence to outline on the snapshot (changed landform, …)
    material: str = ""  # changes when the incident changes materially, forcing a new revision
    since: dt.datetime | None = None  # when the incident began, if before this frame (entry into a zone, last frame)
