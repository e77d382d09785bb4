"""What a correct pipeline reports for a scripted clip (预期结果), worked out from the script itself.

Times come from the actors' paths sampled at the clip's frame rate, using the point where an actor
stands (the bottom centre of its box) — the point a zone or line rule should test.
"""

from __future__ import annotations

from typing import Literal

import cv2
import msgspec
import numpy as np

from vision.synth.actors import ActorKind
from vision.synth.clips import ClipScript, SceneName
from vision.synth.staging import actor_position, on_set
from vision.synth.terrain import SceneKind, canonical_layout, lane_y

Rule = Literal[
    "any",
    "zone_dwell",
    "prohibited_hours",
    "line_count",
    "landform_change",
    "camera_covered",
    "camera_defocused",
    "camera_moved",
    "camera_frozen",
    "camera_offline",
]
Point = tuple[float, float]


class Expect(msgspec.Struct, frozen=True, kw_only=True):
    """One thing a correct pipeline does (``fires``) or must not do (``fires=False``) with this clip."""

    rule: Rule
    fires: bool
    start_s: float = 0.0  # when the condition begins to hold
    end_s: float | None = None  # when it stops holding (None: to the end)
    region: str | None = None  # key into ``regions`` or ``lines``
    actors: list[int] = []
    counts: dict[str, int] = {}  # line_count: crossings per direction, "left_to_right" / "right_to_left"
    times: list[float] = []  # line_count: when each crossing happens
    detail: str = ""


class Scenario(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    description: str
    script: ClipScript
    regions: dict[str, list[Point]] = {}
    lines: dict[str, list[Point]] = {}  # two points each
    expect: list[Expect] = []


def _samples(script: ClipScript) -> np.ndarray:
    return np.arange(round(script.duration_s * script.fps)) / script.fps


def zone_intervals(script: ClipScript, actor: int, polygon: list[Point]) -> list[tuple[float, float]]:
    """When the actor's standing point is inside ``polygon``: [start, end) spans in seconds."""
    path, contour = script.actors[actor], np.array(polygon, np.float32)
    inside = [
        on_set(path, t) and cv2.pointPolygonTest(contour, actor_position(path, t), False) >= 0 for t in _samples(script)
    ]
    spans, start = [], None
    for index, flag in enumerate([*inside, False]):
        if flag and start is None:
            start = index
        elif not flag and start is not None:
            spans.append((start / script.fps, index / script.fps))
            start = None
    return spans


def crossings(script: ClipScript, x_line: float, kinds: set[ActorKind]) -> list[tuple[float, int, str]]:
    """(time, actor, direction) for each time an actor of ``kinds`` crosses the vertical line at ``x_line``."""
    found = []
    times = _samples(script)
    for actor, path in enumerate(script.actors):
        if path.kind not in kinds:
            continue
        sides = [on_set(path, t) and actor_position(path, t)[0] >= x_line for t in times]
        shown = [on_set(path, t) for t in times]
        for i in range(1, len(times)):
            if shown[i - 1] and shown[i] and sides[i - 1] != sides[i]:
                found.append((float(times[i]), actor, "left_to_right" if sides[i] else "right_to_left"))
    return sorted(found)


def line_expect(script: ClipScript, name: str, x_line: float, kinds: set[ActorKind], detail: str) -> Expect:
    found = crossings(script, x_line, kinds)
    counts = {
        direction: sum(1 for _, _, d in found if d == direction) for direction in ("left_to_right", "right_to_left")
    }
    actors = sorted({actor for _, actor, _ in found})
    return Expect(
        rule="line_count",
        fires=bool(found),
        region=name,
        actors=actors,
        counts=counts,
        times=[t for t, _, _ in found],
        detail=detail,
    )


def count_line(scene: SceneName, x: float) -> list[Point]:
    layout = canonical_layout(SceneKind(scene))
    return [(x, lane_y(layout, x, 0.0) - 0.06), (x, lane_y(layout, x, 1.0) + 0.04)]
