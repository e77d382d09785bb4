"""Evidence for an alert (告警证据): a snapshot with boxes and a clip from the ring buffer.

Media are stored in the outbox under their SHA-256 and later in S3 under
``alerts/<site>/<camera>/<alert-id>/<name>``, with the same SHA-256 that S3
verifies on upload — as for an inspector's evidence.
"""

from __future__ import annotations

import uuid

import cv2
import numpy as np

from mobile_contract.alerts import AlertMedia
from mobile_contract.sites import CameraConfig, CountLine
from vision.events.outbox import Outbox
from vision.sources import bgr
from vision.types import AlertCandidate, Box, Frame

_RED, _YELLOW, _ORANGE, _WHITE = (0, 0, 255), (0, 220, 255), (0, 140, 255), (255, 255, 255)


def object_key(site_id: str, camera_id: str, alert_id: uuid.UUID, name: str) -> str:
    return f"alerts/{site_id}/{camera_id}/{alert_id}/{name}"


def store_media(
    outbox: Outbox, *, kind: str, key: str, alert_id: uuid.UUID, data: bytes, media_type: str
) -> AlertMedia:
    digest = outbox.put_media(alert_id, data)
    return AlertMedia(kind=kind, object_key=key, sha256=digest, size=len(data), media_type=media_type)


def snapshot_jpeg(frame: Frame, candidate: AlertCandidate, camera: CameraConfig, *, width: int, quality: int) -> bytes:
    """The analysed frame with the camera's zones, the incident's objects and its time drawn on it."""
    image = np.ascontiguousarray(bgr(frame.picture, width=min(width, frame.width)))
    h, w = image.shape[:2]
    for zone in camera.zones:
        _draw_zone(image, zone, w, h)
    for track in candidate.tracks:
        _draw_box(image, track.box, f"#{track.id} {track.cls.value} {track.score:.2f}", _RED, w, h)
    for region in candidate.regions:
        _draw_box(image, region, candidate.key.kind.value, _ORANGE, w, h)
    stamp = f"{camera.id}  {frame.at.isoformat(timespec='milliseconds')}  t={frame.pts_s:.2f}s"
    cv2.putText(image, stamp, (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.8, _WHITE, 2, cv2.LINE_AA)
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return encoded.tobytes()


def _draw_box(image: np.ndarray, box: Box, label: str, colour: tuple[int, int, int], w: int, h: int) -> None:
    p1, p2 = (int(box.x1 * w), int(box.y1 * h)), (int(box.x2 * w), int(box.y2 * h))
    cv2.rectangle(image, p1, p2, colour, 3)
    cv2.putText(image, label, (p1[0], max(20, p1[1] - 8)), cv2.FONT_HERSHEY_SIMPLEX, 0.7, colour, 2, cv2.LINE_AA)


def _draw_zone(image: np.ndarray, zone: object, w: int, h: int) -> None:
    if isinstance(zone, CountLine):
        a, b = (int(zone.a[0] * w), int(zone.a[1] * h)), (int(zone.b[0] * w), int(zone.b[1] * h))
        cv2.arrowedLine(image, a, b, _YELLOW, 2, tipLength=0.02)
        return
    points = np.array([[int(x * w), int(y * h)] for x, y in zone.polygon], dtype=np.int32)  # type: ignore[attr-defined]
    cv2.polylines(image, [points], isClosed=True, color=_YELLOW, thickness=2)
