"""The tamper monitor of one camera (摄像头状态监测): readings against learnt baselines, persistence.

Baselines are learnt only from frames that look healthy: the texture of each grid cell (slowly, so
dusk is followed), the static background the view is aligned with, and the sharpness — which rises
at once to a sharper picture but sinks only over hours and not at all while it is already lower than
usual, so a lens drifting out of focus over minutes cannot drag its own yardstick down.

Each condition must hold for ``persist_s`` (a truck passing close to the lens is not tamper) and ends
once absent for ``clear_s`` (a key frame that re-encodes a frozen picture with fresh noise is not
recovery).
"""

from __future__ import annotations

import collections
import datetime as dt
import math

import cv2
import msgspec
import numpy as np

from vision.config import TamperConfig
from vision.rules.tamper.alignment import Alignment, ViewAligner
from vision.rules.tamper.picture import TEXTURE_FLOOR, Picture, layout_similarity, measure
from vision.types import TamperFacts, TamperKind

FROZEN_GAP_S = 1.0
SUSPECT_BLUR = 0.8  # sharpness under this share of its baseline: the baseline stops learning
RISE = 0.3  # share of a sharper reading the sharpness baseline takes at once
UNUSABLE = frozenset({TamperKind.COVERED, TamperKind.FROZEN, TamperKind.OFFLINE})


class Readings(msgspec.Struct, frozen=True):
    """The frame statistics the checks are made of."""

    uniformity: float  # grey std / mean
    blind_fraction: float  # of the textured cells, the share that lost their texture and their shapes
    blind_similarity: float  # broad shapes of those cells against the healthy view's
    sharpness_ratio: float  # against the baseline; 1.0 while there is none
    alignment: Alignment | None  # the view against the learnt background; None: no answer
    difference: float  # mean absolute grey difference from the picture a second or more ago

    def tripped(self, c: TamperConfig) -> dict[TamperKind, TamperFacts]:
        """Each failed check with its measure. A covered lens also looks blurred and moved: only covered counts."""
        if self.uniformity < c.covered_contrast:
            return {TamperKind.COVERED: _facts(TamperKind.COVERED, self.uniformity, c.covered_contrast)}
        if self.blind_fraction >= c.covered_fraction:
            return {TamperKind.COVERED: _facts(TamperKind.COVERED, self.blind_fraction, c.covered_fraction)}
        found = {}
        if self.sharpness_ratio < c.defocus_ratio:
            found[TamperKind.DEFOCUSED] = _facts(TamperKind.DEFOCUSED, self.sharpness_ratio, c.defocus_ratio)
        if self.alignment is not None and self.alignment.displacement_px > c.moved_px:
            found[TamperKind.MOVED] = _facts(TamperKind.MOVED, self.alignment.displacement_px, c.moved_px)
        if self.difference < c.frozen_diff and TamperKind.DEFOCUSED not in found:  # a blur wipes the noise too
            found[TamperKind.FROZEN] = _facts(TamperKind.FROZEN, self.difference, c.frozen_diff)
        return found


def _facts(kind: TamperKind, measure: float, threshold: float) -> TamperFacts:
    return TamperFacts(kind, round(measure, 4), threshold, suspends_rules=kind in UNUSABLE)


class TamperMonitor:
    def __init__(self, camera_id: str, config: TamperConfig) -> None:
        self.camera_id = camera_id
        self.config = config
        self.texture: np.ndarray | None = None  # per cell, of the healthy view
        self.layout: np.ndarray | None = None  # broad shapes of the healthy view
        self.sharpness: float | None = None
        self.aligner = ViewAligner(config.view_learn_s)
        self._learnt = 0
        self._unaligned_s = 0.0  # how long the view could not be compared with the background
        self._history: collections.deque[tuple[dt.datetime, np.ndarray]] = collections.deque()  # for frozen
        self._since: dict[TamperKind, dt.datetime] = {}
        self._seen: dict[TamperKind, dt.datetime] = {}

    def evaluate(
        self, grey: np.ndarray, contrast: np.ndarray, at: dt.datetime, dt_s: float, moving: np.ndarray | None = None
    ) -> dict[TamperKind, tuple[TamperFacts, dt.datetime]]:
        """The conditions that have held for ``persist_s``, each with its facts and since when.

        ``moving`` (the motion gate's mask) is left out of the alignment, with the lamps.
        """
        picture = measure(grey, contrast)
        ignore = picture.lamps if moving is None else picture.lamps | moving
        readings = self.read(picture, grey, contrast, ignore, self._earlier(at))
        if not self._history or (at - self._history[-1][0]).total_seconds() >= FROZEN_GAP_S / 2:
            self._history.append((at, grey))
        tripped = readings.tripped(self.config)
        self._learn(picture, contrast, ignore, readings, tripped, dt_s)
        self._remember(tripped, at)
        return {
            kind: (facts, self._since[kind])
            for kind, facts in tripped.items()
            if (at - self._since[kind]).total_seconds() >= self.config.persist_s
        }

    def read(
        self,
        picture: Picture,
        grey: np.ndarray,
        contrast: np.ndarray,
        ignore: np.ndarray,
        earlier: np.ndarray | None,
    ) -> Readings:
        blind, alike = self._blind(picture)
        return Readings(
            uniformity=picture.uniformity,
            blind_fraction=blind,
            blind_similarity=alike,
            sharpness_ratio=self._sharpness_now(picture) / self.sharpness if self.sharpness else 1.0,
            alignment=self.aligner.align(contrast, ignore, self.config.moved_min_matches),
            difference=float(cv2.absdiff(grey, earlier).mean()) if earlier is not None else math.inf,
        )

    def _blind(self, picture: Picture) -> tuple[float, float]:
        """Share of the healthy view's textured cells that lost their texture and their broad shapes."""
        if self.texture is None or self.layout is None:
            return 0.0, 1.0
        textured = np.nan_to_num(self.texture) > TEXTURE_FLOOR
        now = np.nan_to_num(picture.texture, nan=np.inf)  # a masked cell (a lamp) is not blind
        faded = textured & (now < self.config.blind_ratio * np.nan_to_num(self.texture))
        if not textured.any() or not faded.any():
            return 0.0, 1.0
        alike = layout_similarity(self.layout, picture.layout, faded)
        blind = 0.0 if alike >= self.config.blind_similarity else float(faded.sum() / textured.sum())
        return blind, alike

    def _sharpness_now(self, picture: Picture) -> float:
        values = picture.sharpness[np.isfinite(picture.sharpness)]
        return float(np.median(values)) if values.size else math.nan

    def _earlier(self, at: dt.datetime) -> np.ndarray | None:
        """The latest picture at least ``FROZEN_GAP_S`` old; older ones are dropped."""
        while len(self._history) > 1 and (at - self._history[1][0]).total_seconds() >= FROZEN_GAP_S:
            self._history.popleft()
        if self._history and (at - self._history[0][0]).total_seconds() >= FROZEN_GAP_S:
            return self._history[0][1]
        return None

    def _remember(self, tripped: dict[TamperKind, TamperFacts], at: dt.datetime) -> None:
        for kind in tripped:
            self._since.setdefault(kind, at)
            self._seen[kind] = at
        gone = [k for k, seen in self._seen.items() if (at - seen).total_seconds() > self.config.clear_s]
        for kind in gone:
            del self._since[kind], self._seen[kind]

    def _learn(
        self,
        picture: Picture,
        contrast: np.ndarray,
        ignore: np.ndarray,
        readings: Readings,
        tripped: dict[TamperKind, TamperFacts],
        dt_s: float,
    ) -> None:
        """Healthy frames teach the baselines; the view's background only while it is where it should be."""
        if TamperKind.COVERED in tripped or TamperKind.FROZEN in tripped:
            return
        if TamperKind.DEFOCUSED not in tripped:
            self._learn_cells(picture, dt_s)
            self._learn_sharpness(self._sharpness_now(picture), readings.sharpness_ratio, dt_s)
        alignment = readings.alignment
        self._unaligned_s = self._unaligned_s + max(dt_s, 0.0) if alignment is None else 0.0
        if self._unaligned_s >= self.config.relearn_s:
            self.aligner.reset(contrast)  # a lighting switch, say: the old background no longer compares
            self._unaligned_s = 0.0
        elif alignment is None or alignment.displacement_px <= self.config.moved_px / 2:
            self.aligner.learn(contrast, ignore, dt_s)

    def _learn_cells(self, picture: Picture, dt_s: float) -> None:
        """A plain mean at first, then slow forgetting; masked cells keep what they had."""
        self._learnt += 1
        alpha = max(1.0 / self._learnt, 1.0 - math.exp(-max(dt_s, 0.0) / self.config.baseline_s))
        if self.texture is None or self.layout is None:
            self.texture, self.layout = picture.texture.copy(), picture.layout.copy()
            return
        seen = np.isfinite(picture.texture)
        fresh = seen & ~np.isfinite(self.texture)
        self.texture[fresh] = picture.texture[fresh]
        both = seen & ~fresh
        self.texture[both] += alpha * (picture.texture[both] - self.texture[both])
        self.layout += alpha * (picture.layout - self.layout)

    def _learn_sharpness(self, sharp: float, ratio: float, dt_s: float) -> None:
        """Up quickly, down only over ``defocus_forget_s`` and not at all while already suspiciously low."""
        if not math.isfinite(sharp):
            return
        if self.sharpness is None:
            self.sharpness = sharp
        elif sharp > self.sharpness:
            self.sharpness += RISE * (sharp - self.sharpness)
        elif ratio >= SUSPECT_BLUR:
            self.sharpness += (sharp - self.sharpness) * (
                1.0 - math.exp(-max(dt_s, 0.0) / self.config.defocus_forget_s)
            )
