"""Tracker (目标跟踪): stable IDs for objects seen by a fixed camera.

``ObjectTracker.update(detections, motion) -> list[Track]`` after a detector
call; ``ObjectTracker.hold(motion)`` for frames the detector skipped.
"""

from vision.track.bytetrack import ObjectTracker

__all__ = ["ObjectTracker"]
