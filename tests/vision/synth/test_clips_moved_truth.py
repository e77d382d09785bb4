"""The moved-camera clip writes its ground truth (boxes carried through the view shift)."""

import msgspec

from vision.synth.clips import read_truth, write_clip
from vision.synth.scenarios import SCENARIOS


def test_moved_camera_clip_writes_readable_truth(tmp_path) -> None:
    script = SCENARIOS["camera_moved"]().script
    moved_at = script.tamper[0].start_s  # keep a few seconds after the camera moves, at low resolution
    small = msgspec.structs.replace(script, width=320, height=180, fps=5, duration_s=moved_at + 3.0)
    write_clip(small, tmp_path / "moved.mp4")
    truth = read_truth(tmp_path / "moved.mp4")
    assert any(frame.boxes for frame in truth.frames if frame.t_s >= moved_at)
