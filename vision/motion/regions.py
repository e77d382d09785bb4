"""From motion to detector crops (检测区域规划).

A moving truck fills a small part of a 1080p frame; cropping a square around
it and running the detector at a small input size keeps the truck large in
the detector's eyes and costs a quarter of a whole-frame pass. Tracked
objects are always included, so a parked machine keeps its track while
something else moves. Too many or too large crops: the whole frame is
cheaper, and ``None`` says so.
"""

from __future__ import annotations

from vision.config import RegionConfig
from vision.types import Box


def plan_regions(boxes: list[Box], *, aspect: float, config: RegionConfig, zoom: float = 1.0) -> list[Box] | None:
    """Square crops covering ``boxes``; ``aspect`` is frame width / height. ``None``: use the whole frame.

    ``zoom`` is how much larger a crop of ``min_side`` would show objects than the whole-frame pass does;
    beyond ``max_zoom`` crops grow, so that the detector sees objects near the size it was trained on.
    """
    min_side = config.min_side * max(1.0, zoom / config.max_zoom)
    crops: list[Box] = []
    for box in boxes:
        crop = _square(box, aspect=aspect, min_side=min_side, margin=config.margin)
        if crop is None:
            return None
        added = _add(crops, crop, aspect=aspect)
        if added is None:
            return None
        crops = added
    if len(crops) > config.max_regions or sum(c.area for c in crops) > config.max_area:
        return None
    return crops


def _add(crops: list[Box], crop: Box, *, aspect: float) -> list[Box] | None:
    """Add a crop; one that overlaps others swallows them, and grows to a square around all of them."""
    while True:
        overlapping = [c for c in crops if c.intersects(crop)]
        if not overlapping:
            return [*crops, crop]
        crops = [c for c in crops if not c.intersects(crop)]
        union = crop
        for other in overlapping:
            union = union.union(other)
        grown = _square(union, aspect=aspect, min_side=0.0, margin=0.0)
        if grown is None:
            return None
        crop = grown


def _square(box: Box, *, aspect: float, min_side: float, margin: float) -> Box | None:
    """A pixel-square around the box with a margin, moved inside the frame; None if it cannot fit."""
    side_h = max(min_side, box.height * (1 + 2 * margin), box.width * aspect * (1 + 2 * margin))
    if side_h > 1.0:
        return None
    side_w = side_h / aspect
    cx, cy = (box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2
    x1 = min(max(0.0, cx - side_w / 2), 1.0 - side_w)
    y1 = min(max(0.0, cy - side_h / 2), 1.0 - side_h)
    return Box(x1, y1, x1 + side_w, y1 + side_h)
