"""A camera picture with its zones and detections drawn over it (画面标注), as SVG shapes.

Zones are stored in normalised image coordinates (0–1, origin top-left), so an SVG with
``viewBox="0 0 1 1"`` stretched over the picture draws them where the vision pipeline applies them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import msgspec

from mobile_contract.sites import CameraConfig, CountLine
from mobile_contract.types import tag_of

ARROW = 0.05  # length of the outbound arrow of a count line, in picture widths


class Shape(msgspec.Struct, frozen=True):
    """One zone: a polygon (``points``) or a count line (``points`` a→b, ``arrow`` towards outbound)."""

    kind: str
    name: str
    points: str
    arrow: str = ""


class Scene(msgspec.Struct, frozen=True):
    """What to draw over one picture: the zones of its camera and the boxes of what was detected."""

    shapes: list[Shape]
    boxes: list[tuple[float, float, float, float]]


def svg_points(points: Iterable[Sequence[float]]) -> str:
    return " ".join(f"{x:.4f},{y:.4f}" for x, y in points)


def outbound_arrow(line: CountLine) -> str:
    """A triangle from the line's middle towards its right-hand side (出场 direction, y grows downwards)."""
    (ax, ay), (bx, by) = line.a, line.b
    length = math.hypot(bx - ax, by - ay) or 1.0
    nx, ny = -(by - ay) / length, (bx - ax) / length  # the right-hand normal on screen
    mx, my = (ax + bx) / 2, (ay + by) / 2
    tip = (mx + nx * ARROW, my + ny * ARROW)
    half = ((bx - ax) / length * ARROW / 3, (by - ay) / length * ARROW / 3)
    return svg_points([(mx - half[0], my - half[1]), tip, (mx + half[0], my + half[1])])


def shapes_of(camera: CameraConfig | None) -> list[Shape]:
    if camera is None:
        return []
    shapes = []
    for zone in camera.zones:
        kind = tag_of(type(zone))
        if isinstance(zone, CountLine):
            shapes.append(Shape(kind, zone.name, svg_points([zone.a, zone.b]), outbound_arrow(zone)))
        else:
            shapes.append(Shape(kind, zone.name, svg_points(zone.polygon)))
    return shapes


def boxes_of(detail: dict[str, Any]) -> list[tuple[float, float, float, float]]:
    """The tracked objects' boxes a vision node put in an alert's ``detail`` (``tracks[].box``)."""
    boxes = []
    for track in detail.get("tracks") or []:
        box = track.get("box") if isinstance(track, dict) else None
        if isinstance(box, list) and len(box) == 4 and all(isinstance(v, int | float) for v in box):
            boxes.append((box[0], box[1], box[2], box[3]))
    return boxes


def scene(camera: CameraConfig | None, detail: dict[str, Any]) -> Scene:
    return Scene(shapes=shapes_of(camera), boxes=boxes_of(detail))
