"""Evidence for an alert (告警证据): a snapshot with boxes and a clip from the ring buffer.

Media are stored in the outbox under their SHA-256 and later in S3 under
``alerts/<site>/<camera>/<alert-id>/<name>``, with the same SHA-256 that S3
verifies on upload — as for an inspector's evidence.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid

import cv2
import msgspec
import numpy as np
import pylopdf_fonts_zh_cn
from PIL import Image, ImageDraw, ImageFont

from mobile_contract.alerts import KIND_NAMES, AlertMedia, EvidenceStream
from mobile_contract.sites import CLASS_NAMES, CameraConfig, CountLine
from vision.events.outbox import Outbox
from vision.sources import bgr
from vision.types import AlertCandidate, Box, Frame

_RED, _YELLOW, _ORANGE, _WHITE = (0, 0, 255), (0, 220, 255), (0, 140, 255), (255, 255, 255)
LABEL_PX = 24


def object_key(site_id: str, camera_id: str, alert_id: uuid.UUID, name: str) -> str:
    return f"alerts/{site_id}/{camera_id}/{alert_id}/{name}"


class Picture(msgspec.Struct, frozen=True):
    """Which of the camera's streams a snapshot or clip shows, and that stream's picture size (取证码流)."""

    stream: EvidenceStream
    width: int
    height: int


def store_media(
    outbox: Outbox,
    *,
    kind: str,
    key: str,
    alert_id: uuid.UUID,
    data: bytes,
    media_type: str,
    picture: Picture | None = None,
) -> AlertMedia:
    """Keep the bytes in the outbox; the media's record says which stream they came from (None: not known)."""
    digest = outbox.put_media(alert_id, data)
    shown = msgspec.structs.asdict(picture) if picture else {}
    return AlertMedia(kind=kind, object_key=key, sha256=digest, size=len(data), media_type=media_type, **shown)


def snapshot_jpeg(
    frame: Frame, candidate: AlertCandidate, camera: CameraConfig, *, width: int, quality: int, zone: dt.tzinfo
) -> bytes:
    """The analysed frame with the camera's zones, the incident's objects and its time drawn on it.

    The time is the site's local time with its offset (``zone``), the labels Chinese (挖掘机 0.87),
    as an inspector reads them; OpenCV's fonts have no Chinese, so text is drawn with Pillow in
    Noto Sans SC (shipped as a wheel, ``pylopdf-fonts-zh-cn``).
    """
    image = np.ascontiguousarray(bgr(frame.picture, width=min(width, frame.width)))
    h, w = image.shape[:2]
    for polygon in camera.zones:
        _draw_zone(image, polygon, w, h)
    labels = [
        (_draw_box(image, t.box, _RED, w, h), f"#{t.id} {CLASS_NAMES[t.cls]} {t.score:.2f}", _RED)
        for t in candidate.tracks
    ]
    labels += [(_draw_box(image, r, _ORANGE, w, h), KIND_NAMES[candidate.key.kind], _ORANGE) for r in candidate.regions]
    labels.append(((10, 8), caption(frame, camera, zone), _WHITE))
    ok, encoded = cv2.imencode(".jpg", _with_text(image, labels), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return encoded.tobytes()


def caption(frame: Frame, camera: CameraConfig, zone: dt.tzinfo) -> str:
    """The snapshot's top line: which camera, and when in the site's local time (offset shown)."""
    local = frame.at.astimezone(zone).isoformat(sep=" ", timespec="milliseconds")
    return f"{camera.name}（{camera.id}）  {local}  t={frame.pts_s:.2f}s"


def _draw_box(image: np.ndarray, box: Box, colour: tuple[int, int, int], w: int, h: int) -> tuple[int, int]:
    """The box; returns where its label goes (above it, inside the picture)."""
    p1, p2 = (int(box.x1 * w), int(box.y1 * h)), (int(box.x2 * w), int(box.y2 * h))
    cv2.rectangle(image, p1, p2, colour, 3)
    return p1[0], max(0, p1[1] - LABEL_PX - 6)


@functools.cache
def _font() -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(pylopdf_fonts_zh_cn.sans_path()), LABEL_PX)


def _with_text(image: np.ndarray, labels: list[tuple[tuple[int, int], str, tuple[int, int, int]]]) -> np.ndarray:
    """Each (top-left, text, BGR colour) drawn on the picture, with a dark outline so it reads on any scene."""
    picture = Image.fromarray(image[:, :, ::-1])
    draw = ImageDraw.Draw(picture)
    for at, text, (b, g, r) in labels:
        draw.text(at, text, font=_font(), fill=(r, g, b), stroke_width=2, stroke_fill=(0, 0, 0))
    return np.ascontiguousarray(np.asarray(picture)[:, :, ::-1])


def _draw_zone(image: np.ndarray, zone: object, w: int, h: int) -> None:
    if isinstance(zone, CountLine):
        a, b = (int(zone.a[0] * w), int(zone.a[1] * h)), (int(zone.b[0] * w), int(zone.b[1] * h))
        cv2.arrowedLine(image, a, b, _YELLOW, 2, tipLength=0.02)
        return
    points = np.array([[int(x * w), int(y * h)] for x, y in zone.polygon], dtype=np.int32)  # type: ignore[attr-defined]
    cv2.polylines(image, [points], isClosed=True, color=_YELLOW, thickness=2)
