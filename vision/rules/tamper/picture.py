"""What a frame shows of the camera's health (画面统计): lamps, texture per cell, sharpness, coarse layout.

Every measure works on the 320-px analysis images and is indifferent to overall brightness, so dusk and
the camera's night mode change none of them much:

- *lamps*: headlights, work lamps and torches are bright cores with a bloom around them; they are masked
  out of every other measure (a lamp sweeping the frame is not the camera changing);
- *texture*: the mean edge strength of the local-contrast image in each cell of a grid: a cover, a cloth
  or a dead IR illuminator leaves cells without texture, a moved camera leaves them textured;
- *sharpness*: per cell, the energy of fine detail (squared Laplacian) over that of mid-scale edges
  (squared gradient of a blurred copy), the median over textured cells: a blur of width s divides the
  first by about s³ and the second by about s, while light and contrast scale both alike (plain mean
  edge strength would not do: an edge's summed gradient is its height, however blurred);
- *layout*: the picture reduced to a coarse grid of brightness, kept to compare a cell's broad shapes
  with the healthy view's (blur keeps them, a cover does not).
"""

from __future__ import annotations

import cv2
import msgspec
import numpy as np

GRID_COLUMNS, GRID_ROWS = 8, 6
LAYOUT_SIZE = (64, 36)  # the coarse view: one value per 5 × 5 analysis pixels, 8 × 6 per cell
LAMP_CEILING = 235  # a grey level this bright is a lamp (or its bloom) whatever the scene
LAMP_OVER_MEDIAN = 90  # ... and so is one this far above the frame's median, in a dark frame
LAMP_FLOOR = 200  # but never one darker than this (half a frame in daylight beside a cloth is no lamp)
LAMP_GROW = 9  # pixels: the bloom and glare around a lamp's core
MASKED_CELL = 0.5  # a cell more than half masked is left out of every measure
NOISE_MEAN_OVER_MEDIAN = 2.2  # for a squared Gaussian (chi-square, one degree of freedom)
TEXTURE_FLOOR = 0.004  # mean edge strength of a cell with nothing in it (sky, a flat wall)
_GROW = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * LAMP_GROW + 1, 2 * LAMP_GROW + 1))


class Picture(msgspec.Struct):
    """The measures of one frame (one value per grid cell where it says so; NaN where the cell is masked)."""

    lamps: np.ndarray  # bool, analysis size: masked pixels
    texture: np.ndarray  # rows × columns
    sharpness: np.ndarray  # rows × columns: fine over mid-scale edge strength
    layout: np.ndarray  # LAYOUT_SIZE, float32 grey
    uniformity: float  # grey std / mean over the whole frame


def grey_median(grey: np.ndarray) -> float:
    """``np.median`` of an 8-bit picture, from its histogram: the same value in a tenth of the time."""
    below = np.cumsum(cv2.calcHist([grey], [0], None, [256], [0, 256]).ravel())
    n = grey.size
    lower, upper = np.searchsorted(below, [(n - 1) // 2 + 1, n // 2 + 1])
    return (float(lower) + float(upper)) / 2


def lamp_mask(grey: np.ndarray) -> np.ndarray:
    """Bright cores and their bloom: saturated pixels, or, in a dark frame, pixels far above its median."""
    threshold = max(LAMP_FLOOR, min(LAMP_CEILING, grey_median(grey) + LAMP_OVER_MEDIAN))
    core = (grey >= threshold).astype(np.uint8)
    return cv2.dilate(core, _GROW).astype(bool) if core.any() else core.astype(bool)


def _grid(shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The first row and column of each grid cell, and the image's size after the last."""
    h, w = shape[:2]
    return np.arange(GRID_ROWS + 1) * h // GRID_ROWS, np.arange(GRID_COLUMNS + 1) * w // GRID_COLUMNS


def _cell_sums(values: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    return np.add.reduceat(np.add.reduceat(values, ys[:-1], axis=0), xs[:-1], axis=1)


def _per_cell(values: np.ndarray, keep: np.ndarray, *, less_noise: bool = False) -> np.ndarray:
    """Mean of ``values`` over the kept pixels of each grid cell; NaN for cells mostly masked.

    ``less_noise``: less the noise's share, for the energy of fine detail: sensor noise is everywhere and
    detail is sparse, so a cell's median is mostly noise, and the mean of squared Gaussian noise is
    ``NOISE_MEAN_OVER_MEDIAN`` times its median.

    Whole-image reductions rather than a loop over cells: the tamper monitor runs on every analysed frame,
    and 48 cells' small NumPy calls were most of its cost (bench/tamper_cost.py).
    """
    ys, xs = _grid(values.shape)
    count = _cell_sums(keep.astype(np.float32), ys, xs)
    used = count > MASKED_CELL * np.outer(np.diff(ys), np.diff(xs))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = _cell_sums(np.where(keep, values, 0.0).astype(np.float64), ys, xs) / count
    if less_noise:
        mean -= NOISE_MEAN_OVER_MEDIAN * _medians(values, keep, used, ys, xs)
    return np.where(used, np.maximum(mean, 0.0), np.nan).astype(np.float32)


def _medians(values: np.ndarray, keep: np.ndarray, used: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """Median of the kept pixels of each used cell (as ``np.median``): all cells in one sort when they are of one
    size (masked pixels sort last, and each cell's middle is taken at its own count), cell by cell otherwise."""
    h, w = values.shape
    if h % GRID_ROWS == 0 and w % GRID_COLUMNS == 0:
        ordered = np.sort(_cells(np.where(keep, values, np.inf)), axis=2)
        count = _cells(keep).sum(axis=2)[..., None]
        lower = np.take_along_axis(ordered, (count - 1) // 2, axis=2)
        upper = np.take_along_axis(ordered, count // 2, axis=2)
        return ((lower + upper) / 2)[..., 0]
    medians = np.zeros(used.shape, np.float64)
    for row, column in zip(*np.nonzero(used), strict=True):
        cell = np.s_[ys[row] : ys[row + 1], xs[column] : xs[column + 1]]
        medians[row, column] = np.median(values[cell][keep[cell]])
    return medians


def _cells(image: np.ndarray) -> np.ndarray:
    """An image whose size the grid divides, as rows × columns × the pixels of each cell."""
    h, w = image.shape
    blocks = image.reshape(GRID_ROWS, h // GRID_ROWS, GRID_COLUMNS, w // GRID_COLUMNS).swapaxes(1, 2)
    return blocks.reshape(GRID_ROWS, GRID_COLUMNS, -1)


def measure(grey: np.ndarray, contrast: np.ndarray) -> Picture:
    """Every measure of one frame; ``contrast`` is the frame's local-contrast image (``vision.motion.gate``)."""
    lamps = lamp_mask(grey)
    keep = ~lamps
    edges = cv2.magnitude(cv2.Sobel(contrast, cv2.CV_32F, 1, 0), cv2.Sobel(contrast, cv2.CV_32F, 0, 1))
    fine = np.square(cv2.Laplacian(contrast, cv2.CV_32F))
    smooth = cv2.GaussianBlur(contrast, (0, 0), 2.0)
    mid = np.square(cv2.Sobel(smooth, cv2.CV_32F, 1, 0)) + np.square(cv2.Sobel(smooth, cv2.CV_32F, 0, 1))
    texture = _per_cell(edges, keep)
    sharp = _per_cell(fine, keep, less_noise=True) / np.maximum(_per_cell(mid, keep), 1e-9)
    sharp[~(texture > TEXTURE_FLOOR)] = np.nan  # a cell with nothing in it says nothing about focus
    layout = cv2.resize(grey, LAYOUT_SIZE, interpolation=cv2.INTER_AREA).astype(np.float32)
    mean, std = (float(v[0][0]) for v in cv2.meanStdDev(grey, mask=keep.astype(np.uint8)))
    return Picture(lamps, texture, sharp, layout, std / max(mean, 1.0))


def layout_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per grid cell, the normalised correlation of two coarse views: 1.0 for the same broad shapes under any
    brightness and gain, about 0 for a flat or unrelated picture."""

    def cells(view: np.ndarray) -> np.ndarray:
        per_cell = _cells(view)
        return per_cell - per_cell.mean(axis=2, keepdims=True)

    x, y = cells(a), cells(b)
    return (x * y).sum(axis=2) / (np.sqrt((x * x).sum(axis=2) * (y * y).sum(axis=2)) + 1e-6)
