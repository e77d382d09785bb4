"""The tamper monitor's frame statistics computed as whole-image reductions give what a plain loop over the
grid's cells gives (``vision.rules.tamper.picture``), for any size, values and mask of lamps."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from vision.rules.tamper import picture
from vision.rules.tamper.picture import GRID_COLUMNS, GRID_ROWS, MASKED_CELL, NOISE_MEAN_OVER_MEDIAN


def cell_by_cell(values: np.ndarray, keep: np.ndarray, *, less_noise: bool) -> np.ndarray:
    """The definition: each cell's kept pixels on their own (NaN for a cell mostly masked)."""
    h, w = values.shape
    out = np.full((GRID_ROWS, GRID_COLUMNS), np.nan)
    for row in range(GRID_ROWS):
        for column in range(GRID_COLUMNS):
            cell = np.s_[
                row * h // GRID_ROWS : (row + 1) * h // GRID_ROWS,
                column * w // GRID_COLUMNS : (column + 1) * w // GRID_COLUMNS,
            ]
            if keep[cell].mean() > MASKED_CELL:
                kept = values[cell][keep[cell]].astype(np.float64)
                noise = NOISE_MEAN_OVER_MEDIAN * np.median(values[cell][keep[cell]]) if less_noise else 0.0
                out[row, column] = max(kept.mean() - noise, 0.0)
    return out


@st.composite
def frames(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """Values like an edge or detail energy (mostly small, a few large), and a mask of lamps: none, a few
    scattered pixels, or large blotches that leave some cells mostly masked."""
    h = draw(st.sampled_from([GRID_ROWS, 2 * GRID_ROWS, 180, 262, 240]))
    w = draw(st.sampled_from([GRID_COLUMNS, 3 * GRID_COLUMNS, 320, 352]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    values = (rng.random((h, w), dtype=np.float32) ** 3 * draw(st.floats(1e-3, 100.0))).astype(np.float32)
    masked = draw(st.sampled_from([0.0, 0.02, 0.5, 0.9]))
    keep = rng.random((h, w)) >= masked
    return values, keep


@settings(max_examples=150, deadline=None)
@given(frames(), st.booleans())
def test_per_cell_means_and_medians_are_those_of_each_cell_on_its_own(frame, less_noise: bool) -> None:
    values, keep = frame
    fast = picture._per_cell(values, keep, less_noise=less_noise)
    slow = cell_by_cell(values, keep, less_noise=less_noise)
    assert np.array_equal(np.isnan(fast), np.isnan(slow))
    scale = np.abs(values).max() + 1e-9  # the mean less the noise may cancel: compare against the values' scale
    assert np.allclose(fast[~np.isnan(fast)], slow[~np.isnan(slow)], rtol=0, atol=1e-5 * scale)


@settings(max_examples=150, deadline=None)
@given(frames())
def test_per_cell_medians_are_exactly_numpys(frame) -> None:
    values, keep = frame
    ys, xs = picture._grid(values.shape)
    used = picture._cell_sums(keep.astype(np.float32), ys, xs) > 0  # any cell with a kept pixel
    medians = picture._medians(values, keep, used, ys, xs)
    for row, column in zip(*np.nonzero(used), strict=True):
        cell = np.s_[ys[row] : ys[row + 1], xs[column] : xs[column + 1]]
        assert medians[row, column] == np.median(values[cell][keep[cell]])


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 200), st.integers(1, 256), st.integers(0, 2**32 - 1))
def test_the_grey_median_from_the_histogram_is_numpys(size: int, levels: int, seed: int) -> None:
    grey = np.random.default_rng(seed).integers(0, levels, (size, 7), dtype=np.uint8)
    assert picture.grey_median(grey) == np.median(grey)
