"""Plane geometry on normalised image coordinates (几何计算)."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

Point = tuple[float, float]


def inside(point: Point, polygon: Sequence[Point]) -> bool:
    """Ray casting: is the point inside the polygon (edges count as inside on one side only)?"""
    x, y = point
    result = False
    for (x1, y1), (x2, y2) in zip(polygon, [*polygon[1:], polygon[0]], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            result = not result
    return result


def side(a: Point, b: Point, p: Point) -> float:
    """Positive when ``p`` lies to the right of a→b as seen on screen (y grows downwards)."""
    return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])


def crosses(p: Point, q: Point, a: Point, b: Point) -> bool:
    """Does the movement p→q cross the segment a→b (not merely its extension)?"""
    return side(a, b, p) * side(a, b, q) < 0 and side(p, q, a) * side(p, q, b) < 0


def polygon_mask(polygon: Sequence[Point], shape: tuple[int, int]) -> np.ndarray:
    """Boolean mask of the polygon on an image of ``shape`` (rows, columns)."""
    h, w = shape
    points = np.array([[round(x * w), round(y * h)] for x, y in polygon], dtype=np.int32)
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [points], 1)
    return mask.astype(bool)
