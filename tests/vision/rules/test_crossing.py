from mobile_contract.alerts import AlertKind
from mobile_contract.sites import CountLine, DomainClass
from tests.vision.helpers import at, camera
from tests.vision.helpers import track as make_track
from vision.rules.crossing import INBOUND, OUTBOUND, LineCounter
from vision.types import Detection

# A vertical line drawn top to bottom: its right (as seen walking a→b) is the left of the image.
LINE = CountLine(name="出口", a=(0.5, 0.2), b=(0.5, 0.9))
TRUCK = DomainClass.DUMP_TRUCK


def drive(counter: LineCounter, track_id: int, xs: list[float], *, y: float = 0.6, cls: DomainClass = TRUCK) -> list:
    found = []
    for step, x in enumerate(xs):
        found += counter.evaluate([make_track(track_id, cls, x, y)], at(step))
    return found


def test_crossings_are_counted_with_direction() -> None:
    counter = LineCounter(camera(LINE), LINE, closed=False, lost_s=5)
    assert drive(counter, 1, [0.3, 0.4, 0.6, 0.7]) == []  # an open site only counts
    drive(counter, 2, [0.8, 0.55, 0.45, 0.2])
    drive(counter, 3, [0.7, 0.6, 0.4])
    assert (counter.outbound, counter.inbound) == (2, 1)


def test_turning_back_short_of_the_line_is_no_crossing() -> None:
    counter = LineCounter(camera(LINE), LINE, closed=True, lost_s=5)
    assert drive(counter, 1, [0.2, 0.35, 0.45, 0.35, 0.2]) == []
    assert (counter.outbound, counter.inbound) == (0, 0)


def test_passing_beyond_the_end_of_the_line_is_no_crossing() -> None:
    counter = LineCounter(camera(LINE), LINE, closed=True, lost_s=5)
    assert drive(counter, 1, [0.3, 0.7], y=0.95) == []


def test_people_do_not_count_as_trucks() -> None:
    counter = LineCounter(camera(LINE), LINE, closed=True, lost_s=5)
    assert drive(counter, 1, [0.3, 0.7], cls=DomainClass.PERSON) == []


def test_any_crossing_at_a_closed_site_is_an_alert() -> None:
    counter = LineCounter(camera(LINE), LINE, closed=True, lost_s=5)
    found = drive(counter, 1, [0.6, 0.4]) + drive(counter, 2, [0.4, 0.6])
    assert [c.facts.direction for c in found] == [OUTBOUND, INBOUND]
    assert {c.key.kind for c in found} == {AlertKind.HAUL_CROSSING}
    assert [c.material for c in found] == ["1/0", "1/1"]  # each crossing changes the incident


def test_a_fast_truck_the_tracker_never_confirmed_is_counted_from_the_two_ends_of_its_step() -> None:
    """At 1 Hz a fast truck moves a quarter of the frame between samples: ByteTrack never confirms it, so the
    rule sees only untracked detections, one on each side of the line."""
    counter = LineCounter(camera(LINE), LINE, closed=True, lost_s=5)
    found = []
    for step, x in enumerate([0.1, 0.35, 0.62, 0.88]):
        sighting = make_track(0, TRUCK, x, 0.6)
        detection = Detection(box=sighting.box, cls=TRUCK, score=0.9, label="dump_truck")
        found += counter.evaluate([], at(step), [detection])
    assert (counter.outbound, counter.inbound) == (0, 1)
    assert [c.facts.direction for c in found] == [INBOUND]


def test_a_truck_whose_id_changed_across_the_line_is_counted_once() -> None:
    counter = LineCounter(camera(LINE), LINE, closed=True, lost_s=5)
    drive(counter, 1, [0.2, 0.4])
    counter.evaluate([make_track(2, TRUCK, 0.65, 0.6)], at(2))  # a new ID where the truck went
    counter.evaluate([make_track(2, TRUCK, 0.8, 0.6)], at(3))
    assert (counter.outbound, counter.inbound) == (0, 1)


def test_trucks_that_never_cross_are_not_paired_across_the_line() -> None:
    counter = LineCounter(camera(LINE), LINE, closed=True, lost_s=5)
    drive(counter, 1, [0.1, 0.3])  # stops and is lost on the left
    counter.evaluate([], at(2))
    counter.evaluate([make_track(2, TRUCK, 0.95, 0.6)], at(3))  # another truck enters far on the right
    assert (counter.outbound, counter.inbound) == (0, 0)


def untracked(x: float, cls: DomainClass = TRUCK) -> Detection:
    sighting = make_track(0, cls, x, 0.6)
    return Detection(box=sighting.box, cls=cls, score=0.9, label=cls.value)


def test_an_end_left_frames_ago_is_not_paired_with_a_truck_seen_since_on_its_own_side() -> None:
    """At 5 Hz: a truck is lost on one side of the line; another, not yet confirmed, drives up on the other.
    Its sightings continue one another there; the first truck's last place, frames ago, is no end of theirs."""
    counter = LineCounter(camera(LINE), LINE, closed=True, lost_s=5)
    counter.evaluate([make_track(5, TRUCK, 0.3, 0.6)], at(0))
    for step, x in enumerate([0.95, 0.9, 0.85, 0.8, 0.75, 0.7], start=1):
        counter.evaluate([], at(step * 0.2), [untracked(x)])
    assert (counter.outbound, counter.inbound) == (0, 0)


def test_ends_of_a_step_are_of_one_class() -> None:
    line = CountLine(name="出口", a=(0.5, 0.2), b=(0.5, 0.9), classes=frozenset({TRUCK, DomainClass.EXCAVATOR}))
    counter = LineCounter(camera(line), line, closed=True, lost_s=5)
    counter.evaluate([], at(0), [untracked(0.35, DomainClass.EXCAVATOR)])
    counter.evaluate([], at(1), [untracked(0.65)])
    assert (counter.outbound, counter.inbound) == (0, 0)


def test_a_truck_boxed_twice_under_two_ids_crosses_once() -> None:
    """The real model boxed one truck as a whole and again by its cab; the tracker kept both IDs apart (IoU
    0.46) and the truck was counted 3/1 against the true 2/1 (tests/vision/test_analyze_default_model.py)."""
    counter = LineCounter(camera(LINE), LINE, closed=True, lost_s=5)
    whole = [make_track(3, TRUCK, x, 0.6, size=0.24) for x in (0.40, 0.45, 0.56)]
    cab = [make_track(2, TRUCK, x, 0.6, size=0.14) for x in (0.44, 0.52, 0.60)]
    found = []
    for step in range(3):  # the cab crosses first, the whole truck a frame later
        found += counter.evaluate([whole[step], cab[step]], at(step))
    assert (counter.outbound, counter.inbound) == (0, 1) and len(found) == 1


def test_two_trucks_crossing_side_by_side_are_two() -> None:
    counter = LineCounter(camera(LINE), LINE, closed=True, lost_s=5)
    for step, x in enumerate([0.4, 0.6]):
        counter.evaluate([make_track(1, TRUCK, x, 0.5), make_track(2, TRUCK, x - 0.05, 0.85)], at(step))
    assert (counter.outbound, counter.inbound) == (0, 2)
