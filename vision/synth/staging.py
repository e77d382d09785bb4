"""A clip's set and cast (布景与演员): its backdrops over time and where each actor is at any instant."""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING

import cv2
import numpy as np

from vision.synth.actors import NOMINAL_HEIGHT_M, ActorKind, Pose
from vision.synth.scene import CLOTHES, HELMETS, MACHINE_COLOURS, pick_colour
from vision.synth.terrain import SceneKind, canonical_layout, height_per_metre, render_backdrop, scar_texture

if TYPE_CHECKING:
    from vision.synth.clips import ActorPath, ClipScript, LightingKey

_WORK_CYCLE_S = {ActorKind.EXCAVATOR: 4.0, ActorKind.LOADER: 5.0, ActorKind.DRILL_RIG: 6.0, ActorKind.DUMP_TRUCK: 12.0}
_STRIDE_S = 1.0
_SCAR_RIM: tuple[int, int, int] = (70, 92, 110)


def light_level(keys: list[LightingKey], t_s: float) -> float:
    """Ambient light at ``t_s``: daylight without keys, linear between keys, held beyond them."""
    if not keys:
        return 1.0
    return float(np.interp(t_s, [key.t_s for key in keys], [key.level for key in keys]))


class Stage:
    """Everything about a script that does not change from frame to frame, and the poses that do."""

    def __init__(self, script: ClipScript) -> None:
        self.script = script
        self.layout = canonical_layout(SceneKind(script.scene))
        rng = np.random.default_rng([script.seed, 0])
        self.changes = sorted(script.landform, key=lambda change: change.t_s)
        self.states = [render_backdrop(self.layout, rng, script.width, script.height)]
        for change in self.changes:
            self.states.append(self._excavated(self.states[-1], change.polygon, rng))
        self.colours = [
            self._colours(path, np.random.default_rng([script.seed, 7, i])) for i, path in enumerate(script.actors)
        ]

    def _excavated(
        self, before: np.ndarray, polygon: list[tuple[float, float]], rng: np.random.Generator
    ) -> np.ndarray:
        h, w = before.shape[:2]
        points = np.round(np.array(polygon) * (w, h) * 16).astype(np.int32)
        mask = np.zeros((h, w), np.uint8)
        cv2.fillPoly(mask, [points], 1, cv2.LINE_AA, shift=4)
        after = before.copy()
        np.copyto(after, scar_texture(rng, w, h), where=mask[..., None].astype(bool))
        cv2.polylines(after, [points], True, _SCAR_RIM, max(2, h // 250), cv2.LINE_AA, shift=4)
        return after

    @staticmethod
    def _colours(path: ActorPath, rng: np.random.Generator) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        person = path.kind is ActorKind.PERSON
        return pick_colour(rng, CLOTHES if person else MACHINE_COLOURS), pick_colour(
            rng, HELMETS if person else MACHINE_COLOURS
        )

    def backdrop(self, t_s: float) -> np.ndarray:
        """The empty view at ``t_s``: every landform change so far, the latest fading in."""
        done = sum(1 for change in self.changes if change.t_s <= t_s)
        if done == 0:
            return self.states[0]
        latest = self.changes[done - 1]
        if latest.grow_s > 0 and t_s < latest.t_s + latest.grow_s:
            share = (t_s - latest.t_s) / latest.grow_s
            return cv2.addWeighted(self.states[done - 1], 1.0 - share, self.states[done], share, 0.0)
        return self.states[done]

    def poses(self, t_s: float) -> tuple[list[Pose], list[int]]:
        """Poses of the actors on set at ``t_s``, and each one's index in the script."""
        poses, indices = [], []
        for index, path in enumerate(self.script.actors):
            if on_set(path, t_s):
                poses.append(self._pose(index, path, t_s))
                indices.append(index)
        return poses, indices

    def _pose(self, index: int, path: ActorPath, t_s: float) -> Pose:
        x, y = actor_position(path, t_s)
        moving = actor_position(path, t_s + 0.05) != actor_position(path, t_s - 0.05)
        colour, trim = self.colours[index]
        return Pose(
            kind=path.kind,
            x=x * self.script.width,
            y=y * self.script.height,
            height=NOMINAL_HEIGHT_M[path.kind] * height_per_metre(self.layout, y) * self.script.height * path.scale,
            facing=_facing(path, t_s),
            phase=_phase(path, t_s, moving, index),
            colour=colour,
            trim=trim,
            loaded=path.loaded,
            lights=path.lights,
        )


def on_set(path: ActorPath, t_s: float) -> bool:
    """Whether the actor is in the scene at ``t_s`` (it may still be outside the frame)."""
    return path.appear_s <= t_s and (path.leave_s is None or t_s < path.leave_s)


def actor_position(path: ActorPath, t_s: float) -> tuple[float, float]:
    times = [key.t_s for key in path.keyframes]
    x = float(np.interp(t_s, times, [key.x for key in path.keyframes]))
    y = float(np.interp(t_s, times, [key.y for key in path.keyframes]))
    return x, y


def _facing(path: ActorPath, t_s: float) -> int:
    """Which way it faces: where it is going, else where it last went, else where it will go."""
    moves = [(a.t_s, b.x - a.x) for a, b in itertools.pairwise(path.keyframes) if b.x != a.x]
    if not moves:
        return 1
    started = [dx for start, dx in moves if start <= t_s]
    return 1 if (started[-1] if started else moves[0][1]) > 0 else -1


def _phase(path: ActorPath, t_s: float, moving: bool, index: int) -> float:
    if path.kind is ActorKind.PERSON:
        return 0.5 + 0.5 * math.sin(2 * math.pi * t_s / _STRIDE_S) if moving else 0.5
    if not path.working:
        return 1.0 if path.kind is ActorKind.DRILL_RIG else 0.35
    cycle = 0.5 - 0.5 * math.cos(2 * math.pi * t_s / _WORK_CYCLE_S[path.kind] + index)
    return 0.3 + 0.7 * cycle if path.kind is ActorKind.DUMP_TRUCK else cycle
