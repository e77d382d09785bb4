"""Scripted clips: H.264 that PyAV reads back as written, ground truth that matches, tampering as described."""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from vision.synth.actors import ActorKind
from vision.synth.clips import (
    ActorPath,
    ClipScript,
    Keyframe,
    Landform,
    LightingKey,
    Tamper,
    iter_frames,
    read_truth,
    render_frame,
    write_clip,
)

SMALL = {"width": 320, "height": 180, "fps": 10}
WORKING = [
    ActorPath(kind=ActorKind.EXCAVATOR, keyframes=[Keyframe(0.0, 0.4, 0.8)], working=True),
    ActorPath(kind=ActorKind.DUMP_TRUCK, keyframes=[Keyframe(0.0, 1.1, 0.7), Keyframe(4.0, 0.6, 0.7)]),
]


def _script(**changes: object) -> ClipScript:
    return ClipScript(**{"scene": "quarry", "duration_s": 4.0, "actors": WORKING, "seed": 5, **SMALL, **changes})  # type: ignore[arg-type]


def _grey(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def _sharpness(image: np.ndarray) -> float:
    return float(cv2.Laplacian(_grey(image), cv2.CV_64F).var())


def test_clip_round_trips_through_pyav(tmp_path: Path) -> None:
    clip = tmp_path / "quarry.mp4"
    truth = write_clip(_script(duration_s=3.0), clip, keyframe_interval_s=1.0)
    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        frames = list(container.decode(stream))
        assert stream.codec_context.name == "h264"
        assert stream.average_rate == 10
    assert len(frames) == truth.frame_count == 30
    assert {(f.width, f.height, f.format.name) for f in frames} == {(320, 180, "yuv420p")}
    assert [i for i, f in enumerate(frames) if f.key_frame] == [0, 10, 20]
    assert read_truth(clip) == truth
    assert [f.index for f in truth.frames] == list(range(30))


def test_decoded_frames_match_the_rendered_ones(tmp_path: Path) -> None:
    clip = tmp_path / "quarry.mp4"
    script = _script(duration_s=1.0)
    write_clip(script, clip, crf=18)
    with av.open(str(clip)) as container:
        decoded = [f.to_ndarray(format="bgr24") for f in container.decode(video=0)]
    rendered = [frame.image for frame in iter_frames(script)]
    errors = [np.abs(a.astype(int) - b.astype(int)).mean() for a, b in zip(decoded, rendered, strict=True)]
    assert max(errors) < 6  # lossy, but the same picture


def test_rendering_is_deterministic_and_moves_with_time() -> None:
    script = _script()
    image_a, boxes_a = render_frame(script, 2.0)
    image_b, boxes_b = render_frame(script, 2.0)
    image_c, boxes_c = render_frame(script, 3.0)
    assert np.array_equal(image_a, image_b) and boxes_a == boxes_b
    truck_then = next(b for b in boxes_a if b.label == "dump_truck")
    truck_later = next(b for b in boxes_c if b.label == "dump_truck")
    assert truck_later.x1 < truck_then.x1  # driving right to left
    assert not np.array_equal(image_a, image_c)


def test_ground_truth_boxes_follow_the_keyframes() -> None:
    frames = list(iter_frames(_script()))
    feet = [((b.x1 + b.x2) / 2 / 320, b.y2 / 180) for f in frames for b in f.truth.boxes if b.actor == 1]
    assert feet[-1][0] == pytest.approx(0.6 + 0.5 / 40, abs=0.02)  # last frame is at 3.9 s of a 4 s drive
    assert all(y == pytest.approx(0.7, abs=2.5 / 180) for _, y in feet)  # the box pads the outline by a pixel or two


def test_covered_camera_shows_nothing_and_boxes_nothing() -> None:
    script = _script(tamper=[Tamper(kind="covered", start_s=1.0, end_s=2.0)])
    before, _ = render_frame(script, 0.5)
    covered, boxes = render_frame(script, 1.5)
    after, after_boxes = render_frame(script, 2.5)
    assert boxes == [] and after_boxes
    assert _grey(covered).std() < _grey(before).std() / 3
    assert covered.mean() < 90
    assert _sharpness(after) == pytest.approx(_sharpness(render_frame(_script(), 2.5)[0]))


def test_defocused_camera_loses_detail() -> None:
    script = _script(tamper=[Tamper(kind="defocused", start_s=1.0, end_s=2.0)])
    assert _sharpness(render_frame(script, 1.5)[0]) < _sharpness(render_frame(script, 0.5)[0]) / 10


def test_moved_camera_shifts_the_view_and_its_boxes_for_good() -> None:
    script = _script(tamper=[Tamper(kind="moved", start_s=1.0, rotate_deg=0.0, shift_x=0.1, shift_y=0.0)])
    still, still_boxes = render_frame(_script(), 3.0)
    moved, moved_boxes = render_frame(script, 3.0)
    excavator = next(b for b in still_boxes if b.actor == 0)
    shifted = next(b for b in moved_boxes if b.actor == 0)
    assert shifted.x1 - excavator.x1 == pytest.approx(32, abs=0.5)
    assert np.abs(moved[:, 40:].astype(int) - still[:, :-40].astype(int)).mean() > 5
    assert np.abs(moved[:, 40:].astype(int) - still[:, 8:-32].astype(int)).mean() < 5  # the same view, 32 px over


def test_frozen_camera_repeats_one_frame_exactly() -> None:
    frames = list(iter_frames(_script(tamper=[Tamper(kind="frozen", start_s=1.0, end_s=2.0)])))
    frozen = [f for f in frames if f.truth.tamper == "frozen"]
    assert [f.truth.index for f in frozen] == list(range(10, 20))
    assert all(np.array_equal(f.image, frozen[0].image) for f in frozen)
    assert not np.array_equal(frames[20].image, frozen[0].image)
    assert not np.array_equal(frames[9].image, frames[10].image)


def test_offline_camera_stops_delivering(tmp_path: Path) -> None:
    script = _script(tamper=[Tamper(kind="offline", start_s=2.5)])
    truth = write_clip(script, tmp_path / "offline.mp4")
    with av.open(str(tmp_path / "offline.mp4")) as container:
        assert sum(1 for _ in container.decode(video=0)) == 25
    assert truth.frame_count == 25
    assert ("camera_offline", 2.5) in [(e.kind, e.t_s) for e in truth.events]


def test_day_to_night_ramp_darkens_steadily_and_lights_the_lamps() -> None:
    script = _script(lighting=[LightingKey(0.0, 1.0), LightingKey(4.0, 0.0)])
    frames = list(iter_frames(script))
    means = [float(f.image.mean()) for f in frames[::5]]
    assert means == sorted(means, reverse=True)
    assert means[-1] < means[0] / 3
    assert frames[-1].truth.light == pytest.approx(0.025)
    assert frames[-1].image.max() > 200  # head lamps on in the dark


def test_landform_change_appears_in_its_region_and_stays() -> None:
    patch = [(0.1, 0.7), (0.3, 0.7), (0.3, 0.95), (0.1, 0.95)]
    script = ClipScript(scene="hillside", duration_s=4.0, landform=[Landform(t_s=2.0, polygon=patch)], seed=2, **SMALL)
    before, after, later = (render_frame(script, t)[0].astype(int) for t in (1.0, 2.0, 3.5))
    inside, outside = np.s_[130:170, 40:90], np.s_[20:100, 150:300]
    assert np.abs(after[inside] - before[inside]).mean() > 15
    assert np.abs(after[outside] - before[outside]).mean() < 3
    assert np.abs(later[inside] - after[inside]).mean() < 3


def test_events_tell_the_story_in_time_order(tmp_path: Path) -> None:
    script = _script(
        tamper=[Tamper(kind="covered", start_s=1.0, end_s=2.0)],
        actors=[
            *WORKING,
            ActorPath(kind=ActorKind.PERSON, keyframes=[Keyframe(0.0, 0.2, 0.9)], appear_s=0.5, leave_s=3.0),
        ],
    )
    truth = write_clip(script, tmp_path / "story.mp4")
    story = [(e.kind, e.t_s, e.actor) for e in truth.events]
    assert story == sorted(story, key=lambda item: item[1])
    assert ("actor_enters", 0.5, 2) in story and ("actor_leaves", 3.0, 2) in story
    assert ("tamper_starts", 1.0, None) in story and ("tamper_ends", 2.0, None) in story
