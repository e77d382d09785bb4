"""Motion gate (运动门控): which frames, and which parts of them, need the detector.

``MotionGate.detect(grey, dt_s) -> Motion`` works on the small grey image;
``plan_regions`` turns motion and tracked objects into detector crops.
"""

from vision.motion.gate import MotionGate
from vision.motion.regions import plan_regions

__all__ = ["MotionGate", "plan_regions"]
