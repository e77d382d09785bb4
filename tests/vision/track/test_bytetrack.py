from mobile_contract.sites import DomainClass
from vision.track import ObjectTracker
from vision.types import Box, Detection


def det(x: float, y: float = 0.5, *, cls: DomainClass = DomainClass.DUMP_TRUCK, w: float = 0.1) -> Detection:
    return Detection(box=Box(x, y - 0.08, x + w, y), cls=cls, score=0.9, label=cls.value)


def test_ids_are_stable_while_objects_move() -> None:
    tracker = ObjectTracker(width=1920, height=1080, updates_kept=5)
    ids = []
    for step in range(8):
        tracks = tracker.update([det(0.1 + step * 0.03), det(0.7, 0.9, cls=DomainClass.EXCAVATOR)], None)
        ids.append(sorted((t.cls.value, t.id) for t in tracks))
    assert ids[-1] == ids[2] and len(ids[-1]) == 2


def test_a_machine_that_stops_keeps_its_id() -> None:
    """ByteTrack's velocity overshoots when a machine stops; the ID must survive that."""
    tracker = ObjectTracker(width=1920, height=1080, updates_kept=5)
    seen = set()
    for step in range(12):
        x = 0.1 + min(step, 5) * 0.09  # drives at 0.09 per update, then stops
        tracks = tracker.update([det(x, cls=DomainClass.EXCAVATOR, w=0.2)], None)
        seen |= {t.id for t in tracks}
    assert seen == {1}


def test_frames_without_a_detector_call_keep_the_tracks() -> None:
    tracker = ObjectTracker(width=1920, height=1080, updates_kept=2)
    first = tracker.update([det(0.3)], None)
    tracker.update([det(0.3)], None)
    held = tracker.hold(None)
    assert [t.id for t in held] == [t.id for t in tracker.tracks] and held[0].box == tracker.tracks[0].box
    assert first


def test_a_vanished_object_is_dropped_after_the_kept_updates() -> None:
    tracker = ObjectTracker(width=1920, height=1080, updates_kept=2)
    for _ in range(3):
        tracker.update([det(0.3)], None)
    for _ in range(4):
        tracks = tracker.update([], None)
    assert tracks == []


def test_two_trucks_passing_each_other_keep_their_own_ids() -> None:
    """Seen from the roadside, a truck on the far lane and one on the near lane overlap heavily as they pass;
    they are two trucks, and neither may take the other's ID or go untracked once they part."""
    tracker = ObjectTracker(width=1920, height=1080, updates_kept=5)
    paths = []
    for step in range(13):
        near, far = det(0.2 + step * 0.04, 0.74, w=0.16), det(0.68 - step * 0.04, 0.72, w=0.16)
        tracks = tracker.update([near, far], None)
        paths.append({t.id: round(t.box.x1, 2) for t in tracks})
    first, last = paths[2], paths[-1]
    assert len(last) == 2 and first.keys() == last.keys() and tracker.untracked == []
    rightwards = max(first, key=lambda tid: -first[tid])  # the near truck starts on the left and drives right
    assert last[rightwards] > first[rightwards]


def test_two_boxes_moving_together_on_one_truck_are_one_track() -> None:
    tracker = ObjectTracker(width=1920, height=1080, updates_kept=5)
    for step in range(10):
        x = 0.2 + step * 0.03
        boxes = [det(x, 0.74, w=0.16)] + ([det(x + 0.01, 0.74, w=0.15)] if step >= 3 else [])
        tracks = tracker.update(boxes, None)
    assert len(tracks) == 1
