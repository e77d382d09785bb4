"""Procedural machinery and people (机械与人员): side-view outlines drawn from polygons with exact extents.

Every actor is a list of coloured polygons in its own frame: ``u`` along the direction it faces, ``v`` up,
the origin where it stands on the ground, one unit = its nominal body height (cab roof, bed rim or
head). ``draw_actor`` maps them onto the image, so the box is the hull of what was drawn, never a guess.
"""

from __future__ import annotations

import enum
import math

import cv2
import msgspec
import numpy as np

Colour = tuple[int, int, int]
Part = tuple[np.ndarray, Colour]

_SUBPIXEL_BITS = 4
_GLASS: Colour = (92, 74, 58)
_RUBBER: Colour = (34, 34, 36)
_STEEL: Colour = (150, 150, 146)


class ActorKind(enum.StrEnum):
    """Detector classes; the order is the YOLO class id (0–4)."""

    EXCAVATOR = "excavator"  # 挖掘机
    LOADER = "loader"  # 装载机
    DRILL_RIG = "drill_rig"  # 钻机
    DUMP_TRUCK = "dump_truck"  # 自卸车
    PERSON = "person"  # 人员


CLASS_NAMES: tuple[str, ...] = tuple(kind.value for kind in ActorKind)
# Nominal body height in metres, so that a person beside a truck is drawn at a believable size.
NOMINAL_HEIGHT_M: dict[ActorKind, float] = {
    ActorKind.EXCAVATOR: 3.1,
    ActorKind.LOADER: 3.4,
    ActorKind.DRILL_RIG: 3.0,
    ActorKind.DUMP_TRUCK: 3.5,
    ActorKind.PERSON: 1.75,
}


class Pose(msgspec.Struct, frozen=True):
    """Where and how one actor stands in the image (pixels)."""

    kind: ActorKind
    x: float  # ground contact point, centre
    y: float
    height: float  # nominal body height in pixels
    facing: int = 1  # +1 faces right, -1 faces left
    phase: float = 0.5  # 0–1 articulation: boom/arm, bucket lift, mast tilt, bed tip, stride
    depth: float = 1.0  # 0.5–1 foreshortening when seen at an angle rather than side on
    colour: Colour = (0, 185, 235)
    trim: Colour = (40, 40, 40)  # second colour: truck cab, person's helmet
    loaded: bool = False
    lights: bool = False


class Lamp(msgspec.Struct, frozen=True):
    """A light on an actor, drawn only when it is dark enough for lights to be on."""

    x: float
    y: float
    facing: int
    size: float  # pixels
    rear: bool = False  # a red tail light rather than a white head lamp


class Drawn(msgspec.Struct, frozen=True):
    """What ``draw_actor`` put on the image: its pixel box (unclipped) and its lamps."""

    box: tuple[float, float, float, float]
    lamps: list[Lamp]


def _rect(u0: float, v0: float, u1: float, v1: float) -> np.ndarray:
    return np.array([(u0, v0), (u1, v0), (u1, v1), (u0, v1)], dtype=np.float64)


def _poly(*points: tuple[float, float]) -> np.ndarray:
    return np.array(points, dtype=np.float64)


def _circle(cu: float, cv: float, r: float) -> np.ndarray:
    angles = np.linspace(0.0, 2.0 * math.pi, 18, endpoint=False)
    return np.stack([cu + r * np.cos(angles), cv + r * np.sin(angles)], axis=1)


def _bar(start: tuple[float, float], angle_deg: float, length: float, width: float) -> tuple[np.ndarray, tuple]:
    """A straight member (boom, arm, mast) from ``start``; returns its polygon and far end."""
    a = math.radians(angle_deg)
    d = np.array([math.cos(a), math.sin(a)])
    n = np.array([-d[1], d[0]]) * width / 2.0
    s = np.asarray(start, dtype=np.float64)
    e = s + d * length
    return np.stack([s + n, e + n, e - n, s - n]), (float(e[0]), float(e[1]))


def _turn(poly: np.ndarray, pivot: tuple[float, float], angle_deg: float) -> np.ndarray:
    a = math.radians(angle_deg)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    return (poly - pivot) @ rot.T + pivot


def _shade(colour: Colour, factor: float) -> Colour:
    return tuple(int(min(255, max(0, c * factor))) for c in colour)  # type: ignore[return-value]


def _wheel(cu: float, cv: float, r: float, colour: Colour) -> list[Part]:
    return [(_circle(cu, cv, r), _RUBBER), (_circle(cu, cv, r * 0.45), _shade(colour, 0.7))]


def _tracks(u0: float, u1: float, top: float) -> list[Part]:
    """Crawler tracks with their rollers."""
    parts: list[Part] = [
        (
            _poly((u0 + 0.08, 0), (u1 - 0.08, 0), (u1, top / 2), (u1 - 0.06, top), (u0 + 0.06, top), (u0, top / 2)),
            _RUBBER,
        )
    ]
    for cu in np.linspace(u0 + 0.15, u1 - 0.15, 5):
        parts.append((_circle(float(cu), top * 0.42, top * 0.22), (85, 85, 85)))
    return parts


def _cab(u0: float, u1: float, v0: float, v1: float, colour: Colour) -> list[Part]:
    inset = (u1 - u0) * 0.14
    return [(_rect(u0, v0, u1, v1), colour), (_rect(u0 + inset, v0 + (v1 - v0) * 0.3, u1 - inset, v1 - inset), _GLASS)]


def _excavator(pose: Pose) -> tuple[list[Part], list[tuple[float, float]]]:
    p, c = pose.phase, pose.colour
    boom1, mid = _bar((0.35, 0.5), 40 + 30 * p, 0.8, 0.17)
    boom2, tip = _bar(mid, 5 + 40 * p, 0.8, 0.14)
    arm, wrist = _bar(tip, -105 + 55 * p, 1.05, 0.11)
    bucket = _turn(
        _poly((0, 0.05), (0.32, -0.02), (0.34, -0.3), (0.08, -0.36), (-0.06, -0.12)) + wrist, wrist, -70 + 110 * p
    )
    parts = [
        *_tracks(-0.85, 0.85, 0.28),
        (_rect(-0.25, 0.27, 0.25, 0.34), _RUBBER),
        (_poly((-0.78, 0.34), (0.45, 0.34), (0.45, 0.62), (-0.75, 0.66)), c),
        (_poly((-0.95, 0.36), (-0.74, 0.36), (-0.74, 0.64), (-0.9, 0.6)), _shade(c, 0.75)),
        (_rect(-0.7, 0.62, -0.2, 0.72), _shade(c, 0.88)),
        *_cab(0.02, 0.42, 0.62, 1.0, c),
        (boom1, c),
        (boom2, c),
        (arm, _shade(c, 0.9)),
        (_bar((0.3, 0.42), 45 + 40 * p, 0.6, 0.05)[0], _STEEL),
        (bucket, (60, 62, 66)),
    ]
    return parts, [(0.42, 0.95), mid]


def _loader(pose: Pose) -> tuple[list[Part], list[tuple[float, float]]]:
    p, c = pose.phase, pose.colour
    arm, hinge = _bar((0.05, 0.55), -20 + 55 * p, 0.85, 0.11)
    bucket = _turn(
        _poly((-0.05, 0.22), (0.38, 0.22), (0.42, -0.14), (0.0, -0.16), (-0.08, 0.02)) + hinge, hinge, 20 * p
    )
    parts = [
        (_poly((-1.05, 0.3), (-0.1, 0.3), (-0.1, 0.62), (-0.98, 0.7)), c),
        (_rect(-0.12, 0.3, 0.5, 0.5), _shade(c, 0.9)),
        *_cab(-0.5, -0.02, 0.6, 1.0, c),
        *_wheel(-0.68, 0.27, 0.27, c),
        *_wheel(0.38, 0.27, 0.27, c),
        (arm, _shade(c, 0.85)),
        (bucket, (66, 66, 70)),
    ]
    if pose.loaded:
        parts.append(
            (
                _poly((0.0, 0.2), (0.18, 0.34), (0.38, 0.2)) + hinge,
                (98, 118, 140),
            )
        )
    return parts, [(-0.02, 0.95), (0.5, 0.45)]


def _drill_rig(pose: Pose) -> tuple[list[Part], list[tuple[float, float]]]:
    p, c = pose.phase, pose.colour
    mast, top = _bar((0.45, 0.15), 60 + 30 * p, 2.7, 0.16)
    rod = _bar((0.45, 0.15), 60 + 30 * p, 2.6, 0.035)[0]
    parts = [
        *_tracks(-0.7, 0.6, 0.24),
        (_rect(-0.72, 0.24, 0.5, 0.56), c),
        *_cab(-0.66, -0.18, 0.56, 0.98, _shade(c, 0.95)),
        (_bar((0.1, 0.45), 35 + 40 * p, 0.7, 0.1)[0], _shade(c, 0.8)),
        (mast, _shade(c, 1.1)),
        (rod, _STEEL),
        (_circle(top[0], top[1], 0.09), _RUBBER),
    ]
    return parts, [(-0.18, 0.9), top]


def _dump_truck(pose: Pose) -> tuple[list[Part], list[tuple[float, float]]]:
    bed_colour, cab_colour = pose.colour, pose.trim
    tip = max(0.0, pose.phase - 0.8) * 200.0  # only the last fifth of the range tips the bed, up to 40 degrees
    pivot = (-1.3, 0.38)
    bed = _turn(_poly((-1.38, 0.38), (0.6, 0.38), (0.64, 0.96), (-1.42, 0.98)), pivot, tip)
    parts: list[Part] = [
        (_rect(-1.3, 0.2, 1.2, 0.36), _RUBBER),
        (_poly((0.68, 0.34), (1.26, 0.34), (1.26, 0.7), (1.16, 1.0), (0.7, 1.0)), cab_colour),
        (_poly((0.9, 0.62), (1.2, 0.62), (1.12, 0.92), (0.9, 0.92)), _GLASS),
        (bed, bed_colour),
    ]
    if pose.loaded:
        heap = _poly((-1.32, 0.96), (-0.9, 1.18), (-0.3, 1.27), (0.3, 1.16), (0.6, 0.95))
        parts.append((_turn(heap, pivot, tip), (96, 120, 142)))
    for cu in (-1.0, -0.58, 0.9):
        parts += _wheel(cu, 0.2, 0.2, cab_colour)
    return parts, [(1.25, 0.45)]


def _person(pose: Pose) -> tuple[list[Part], list[tuple[float, float]]]:
    swing = (pose.phase - 0.5) * 50.0
    leg_a, _ = _bar((0.0, 0.5), -90 + swing, 0.5, 0.09)
    leg_b, _ = _bar((0.0, 0.5), -90 - swing, 0.5, 0.09)
    arm_a, _ = _bar((0.0, 0.8), -90 - swing * 0.8, 0.34, 0.07)
    arm_b, _ = _bar((0.0, 0.8), -90 + swing * 0.8, 0.34, 0.07)
    helmet = _circle(0.0, 0.92, 0.085)
    helmet = helmet[helmet[:, 1] >= 0.9]
    parts = [
        (leg_a, (70, 55, 45)),
        (leg_b, (60, 48, 40)),
        (_poly((-0.11, 0.48), (0.11, 0.48), (0.13, 0.83), (-0.13, 0.83)), pose.colour),
        (arm_a, _shade(pose.colour, 0.85)),
        (arm_b, _shade(pose.colour, 0.85)),
        (_circle(0.0, 0.9, 0.075), (120, 150, 190)),
        (helmet, pose.trim),
    ]
    return parts, []


_BUILDERS = {
    ActorKind.EXCAVATOR: _excavator,
    ActorKind.LOADER: _loader,
    ActorKind.DRILL_RIG: _drill_rig,
    ActorKind.DUMP_TRUCK: _dump_truck,
    ActorKind.PERSON: _person,
}


def actor_parts(pose: Pose) -> tuple[list[Part], list[Lamp]]:
    """The actor's polygons and lamps in pixel coordinates."""
    parts, lamp_points = _BUILDERS[pose.kind](pose)
    scale = np.array([pose.facing * pose.depth * pose.height, -pose.height])
    origin = np.array([pose.x, pose.y])
    placed = [(poly * scale + origin, colour) for poly, colour in parts]
    lamps = [
        Lamp(
            x=pose.x + pose.facing * pose.depth * pose.height * u,
            y=pose.y - pose.height * v,
            facing=pose.facing,
            size=pose.height * 0.05,
        )
        for u, v in lamp_points
    ]
    if pose.kind is ActorKind.DUMP_TRUCK:
        tail_x = pose.x - pose.facing * pose.depth * pose.height * 1.3
        lamps.append(
            Lamp(x=tail_x, y=pose.y - pose.height * 0.3, facing=-pose.facing, size=pose.height * 0.04, rear=True)
        )
    return placed, lamps


def draw_actor(image: np.ndarray, pose: Pose) -> Drawn:
    """Draw one actor onto ``image`` in place and return its exact (unclipped) box and lamps."""
    parts, lamps = actor_parts(pose)
    edge = max(1, round(pose.height / 70))
    for poly, colour in parts:
        pts = np.round(poly * (1 << _SUBPIXEL_BITS)).astype(np.int32)
        cv2.fillPoly(image, [pts], colour, lineType=cv2.LINE_AA, shift=_SUBPIXEL_BITS)
        cv2.polylines(image, [pts], True, _shade(colour, 0.55), edge, lineType=cv2.LINE_AA, shift=_SUBPIXEL_BITS)
    hull = np.concatenate([poly for poly, _ in parts])
    pad = edge / 2.0 + 1.5  # the outline is centred on the edge, and anti-aliasing spreads it further still
    x1, y1 = hull.min(axis=0) - pad
    x2, y2 = hull.max(axis=0) + pad
    return Drawn(box=(float(x1), float(y1), float(x2), float(y2)), lamps=lamps)
