"""Pictures a test run writes into docs/img for the README, rewritten only when they look different.

A page shows this run's made-up names, numbers and times, so every run renders slightly different
bytes; written every time, they left the working tree dirty after each run. A picture is kept when
no more than ``CHANGED_SHARE`` of its pixels changed visibly (a name or a time), and rewritten when
more did or its size changed (a page that looks different).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

CHANGED_SHARE = 0.02
VISIBLE_STEP = 24  # of 255 in any colour channel: anti-aliasing noise stays below it


def write_picture(path: Path, png: bytes) -> None:
    if path.exists() and looks_alike(path.read_bytes(), png):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)


def looks_alike(kept: bytes, new: bytes) -> bool:
    if kept == new:
        return True
    with Image.open(io.BytesIO(kept)) as old_image, Image.open(io.BytesIO(new)) as new_image:
        if old_image.size != new_image.size:
            return False
        old_pixels = np.asarray(old_image.convert("RGB"), dtype=np.int16)
        new_pixels = np.asarray(new_image.convert("RGB"), dtype=np.int16)
    changed = (np.abs(old_pixels - new_pixels) > VISIBLE_STEP).any(axis=2)
    return changed.mean() <= CHANGED_SHARE
