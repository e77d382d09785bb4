"""The tamper monitor of one camera (摄像头状态监测): readings against learnt baselines, persistence.

Baselines are learnt only from frames that look healthy: the texture of each grid cell (slowly, so
dusk is followed), the static background the view is aligned with, and the sharpness — which rises
at once to a sharper picture but sinks only over hours and not at all while it is already lower than
usual, so a lens drifting out of focus over minutes cannot drag its own yardstick down.

Each condition must hold for ``persist_s`` (a truck passing close to the lens is not tamper) and ends
once absent for ``clear_s`` (a key frame that re-encodes a frozen picture with fresh noise is not
recovery).

The checks run every ``every_s`` (1 s) of stream time, not on every analysed frame, and their answer holds
in between: a camera analysed at 2 or 5 Hz (a truck near a count line) needs its tamper checked no more
often than a quiet one at 1 Hz, and the checks cost more than the rest of a quiet camera's analysis
(``bash bench/run tamper``). Not rarer: a freeze is seen only once the encoder has settled on the still
picture, a few seconds in, and a check every 2 s then missed a 10-s freeze that a check a second raised.
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
SUSPECT_BLUR = 0.8  # the view's sharpness under this share of its baseline: the baseline stops learning
BLURS = (0.0, 1.5, 3.0)  # layout pixels (5 analysis pixels each): the defocus a cell's shapes are compared under
RISE = 0.3  # share of a sharper reading a cell's sharpness baseline takes at once
UNUSABLE = frozenset({TamperKind.COVERED, TamperKind.FROZEN, TamperKind.OFFLINE})


class Readings(msgspec.Struct, frozen=True):
    """The frame statistics the checks are made of."""

    uniformity: float  # grey std / mean
    blind_fraction: float  # of the textured cells, the share that lost their detail and their broad shapes
    sharpness_ratio: float  # median over cells of sharpness against each cell's baseline; 1.0 while there is none
    blurred_fraction: float  # share of those cells below ``defocus_ratio`` of their baseline
    alignment: Alignment | None  # the view against the learnt background; None: no answer
    difference: float  # mean absolute grey difference from the picture a second or more ago

    def tripped(self, c: TamperConfig) -> dict[TamperKind, TamperFacts]:
        """Each failed check with its measure. A covered lens also looks blurred and moved: only covered counts."""
        if self.uniformity < c.covered_contrast:
            return {TamperKind.COVERED: _facts(TamperKind.COVERED, self.uniformity, c.covered_contrast)}
        if self.blind_fraction >= c.covered_fraction:
            return {TamperKind.COVERED: _facts(TamperKind.COVERED, self.blind_fraction, c.covered_fraction)}
        found = {}
        if self.blurred_fraction >= c.defocus_fraction:  # a blur takes the whole view, a cover sliding in a part
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
        self.cell_sharpness: np.ndarray | None = None  # per cell, of the healthy view
        self.layout: np.ndarray | None = None  # broad shapes of the healthy view
        self.aligner = ViewAligner(config.view_learn_s)
        self._learnt = 0
        self._unaligned_s = 0.0  # how long the view could not be compared with the background
        self._history: collections.deque[tuple[dt.datetime, np.ndarray]] = collections.deque()  # for frozen
        self._since: dict[TamperKind, dt.datetime] = {}
        self._seen: dict[TamperKind, dt.datetime] = {}
        self._held: dict[TamperKind, tuple[TamperFacts, dt.datetime]] | None = None  # the last check's answer
        self._due_s = 0.0  # stream time since the last check

    def evaluate(
        self, grey: np.ndarray, contrast: np.ndarray, at: dt.datetime, dt_s: float, moving: np.ndarray | None = None
    ) -> dict[TamperKind, tuple[TamperFacts, dt.datetime]]:
        """The conditions that have held for ``persist_s``, each with its facts and since when.

        ``moving`` (the motion gate's mask) is left out of the alignment, with the lamps. Between two checks
        (``every_s``, to within half a frame) the last answer holds.
        """
        self._due_s += max(dt_s, 0.0)
        if self._held is not None and self._due_s + max(dt_s, 0.0) / 2 < self.config.every_s:
            return self._held
        dt_s, self._due_s = self._due_s, 0.0
        picture = measure(grey, contrast)
        ignore = picture.lamps if moving is None else picture.lamps | moving
        readings = self.read(picture, grey, contrast, ignore, self._earlier(at), dt_s)
        if not self._history or (at - self._history[-1][0]).total_seconds() >= FROZEN_GAP_S / 2:
            self._history.append((at, grey))
        tripped = readings.tripped(self.config)
        self._learn(picture, contrast, ignore, readings, tripped, dt_s)
        self._remember(tripped, at)
        self._held = {
            kind: (facts, self._since[kind])
            for kind, facts in tripped.items()
            if (at - self._since[kind]).total_seconds() >= self.config.persist_s
        }
        return self._held

    def read(
        self,
        picture: Picture,
        grey: np.ndarray,
        contrast: np.ndarray,
        ignore: np.ndarray,
        earlier: np.ndarray | None,
        dt_s: float,
    ) -> Readings:
        unchanged = self._unchanged(picture)
        ratio, blurred = self._sharpness(picture, unchanged)
        return Readings(
            uniformity=picture.uniformity,
            blind_fraction=self._blind(picture, unchanged),
            sharpness_ratio=ratio,
            blurred_fraction=blurred,
            alignment=self.aligner.align(contrast, ignore, self.config.moved_min_matches, dt_s),
            difference=_difference(grey, earlier, picture.lamps),
        )

    def _blind(self, picture: Picture, unchanged: np.ndarray) -> float:
        """Share of the healthy view's textured cells that lost their detail *and* their broad shapes.

        Detail is lost when the texture fell below ``blind_ratio`` of the cell's own, or the sharpness below
        ``defocus_ratio`` of it (a cloth's blotches and a dark sensor's noise are texture, but not sharp);
        broad shapes when the cell's coarse view no longer correlates (a blur keeps them, a cover does not).
        """
        if self.texture is None or self.layout is None or self.cell_sharpness is None:
            return 0.0
        c = self.config
        textured = np.nan_to_num(self.texture) > TEXTURE_FLOOR
        with np.errstate(invalid="ignore"):  # NaN: a masked cell (a lamp), which is not blind
            faded = (picture.texture < c.blind_ratio * self.texture) | (
                np.nan_to_num(picture.sharpness, nan=0.0) < c.defocus_ratio * self.cell_sharpness
            )
        blind = textured & faded & ~unchanged & np.isfinite(picture.texture)
        return float(blind.sum() / textured.sum()) if textured.any() else 0.0

    def _unchanged(self, picture: Picture) -> np.ndarray:
        """Cells whose broad shapes are still the healthy view's, or a blurred copy of it (a lens out of focus
        smooths shapes, a cover replaces them); all cells while there is no healthy view yet."""
        if self.layout is None:
            return np.ones(picture.texture.shape, bool)
        alike = np.max(
            [
                layout_similarity(cv2.GaussianBlur(self.layout, (0, 0), s) if s else self.layout, picture.layout)
                for s in BLURS
            ],
            axis=0,
        )
        return alike >= self.config.blind_similarity

    def _ratios(self, picture: Picture) -> np.ndarray:
        """Each cell's sharpness over its baseline, NaN where either is unknown."""
        if self.cell_sharpness is None:
            return np.full(picture.sharpness.shape, np.nan, np.float32)
        with np.errstate(invalid="ignore", divide="ignore"):
            return picture.sharpness / np.where(self.cell_sharpness > 0, self.cell_sharpness, np.nan)

    def _sharpness(self, picture: Picture, unchanged: np.ndarray) -> tuple[float, float]:
        """Median sharpness ratio and share of blurred cells, over the cells whose broad shapes are still the
        view's: a cover or a knock changes some cells' shapes, and those say nothing about focus."""
        ratios = self._ratios(picture)[unchanged]
        ratios = ratios[np.isfinite(ratios)]
        if ratios.size == 0:
            return 1.0, 0.0
        return float(np.median(ratios)), float((ratios < self.config.defocus_ratio).mean())

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
            if readings.sharpness_ratio >= SUSPECT_BLUR:
                self._learn_sharpness(picture, dt_s)
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
        _follow(self.texture, picture.texture, alpha)
        self.layout += alpha * (picture.layout - self.layout)

    def _learn_sharpness(self, picture: Picture, dt_s: float) -> None:
        """Per cell: up quickly, down only over ``defocus_forget_s`` (and not at all while the view's sharpness
        is already suspiciously low, see ``_learn``), so a lens drifting out of focus cannot drag it down."""
        if self.cell_sharpness is None:
            self.cell_sharpness = picture.sharpness.copy()
            return
        now = picture.sharpness
        sink = 1.0 - math.exp(-max(dt_s, 0.0) / self.config.defocus_forget_s)
        with np.errstate(invalid="ignore"):
            rate = np.where(now > self.cell_sharpness, RISE, sink)
        _follow(self.cell_sharpness, now, rate)


def _follow(baseline: np.ndarray, now: np.ndarray, alpha: float | np.ndarray) -> None:
    """Move each cell's baseline a step towards this frame's value; cells masked now keep theirs."""
    seen = np.isfinite(now)
    fresh = seen & ~np.isfinite(baseline)
    baseline[fresh] = now[fresh]
    both = seen & ~fresh
    step = alpha[both] if isinstance(alpha, np.ndarray) else alpha
    baseline[both] += step * (now[both] - baseline[both])


def _difference(grey: np.ndarray, earlier: np.ndarray | None, lamps: np.ndarray) -> float:
    """Mean absolute grey difference from the earlier picture, lamps and burnt-in text (bright) left out:
    an on-screen clock ticking over a frozen picture does not make it live."""
    if earlier is None:
        return math.inf
    keep = ~lamps
    return float(cv2.absdiff(grey, earlier)[keep].mean()) if keep.any() else 0.0
