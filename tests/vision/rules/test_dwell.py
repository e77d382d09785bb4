"""Forbidden-zone dwell and mining-permit rules, fed with tracks."""

import datetime as dt

from mobile_contract.alerts import AlertKind
from mobile_contract.sites import DomainClass, ForbiddenZone, PermittedArea
from tests.vision.helpers import at, camera
from tests.vision.helpers import track as make_track
from vision.rules.dwell import OUTSIDE, ForbiddenZoneRule, PermitRule

ZONE = ForbiddenZone(name="北坡禁采区", polygon=[(0.5, 0.5), (1.0, 0.5), (1.0, 1.0), (0.5, 1.0)], dwell_s=30)
EXCAVATOR, TRUCK, PERSON = DomainClass.EXCAVATOR, DomainClass.DUMP_TRUCK, DomainClass.PERSON


def run_forbidden(positions: list[list[tuple[int, DomainClass, float, float]]]) -> list[list]:
    rule = ForbiddenZoneRule(camera(ZONE), ZONE, lost_s=5)
    return [
        rule.evaluate([make_track(i, cls, x, y) for i, cls, x, y in tracks], at(second))
        for second, tracks in enumerate(positions)
    ]


def test_machinery_staying_beyond_the_dwell_time_fires() -> None:
    results = run_forbidden([[(1, EXCAVATOR, 0.7, 0.8)]] * 40)
    first = next(i for i, found in enumerate(results) if found)
    assert first == 30
    candidate = results[first][0]
    assert candidate.key.kind is AlertKind.FORBIDDEN_ZONE and candidate.key.zone == ZONE.name
    assert candidate.since == at(0)
    assert [t.id for t in candidate.tracks] == [1]


def test_passing_through_quicker_than_the_dwell_time_does_not() -> None:
    path = [[(2, TRUCK, 0.3 + 0.03 * s, 0.8)] for s in range(40)]  # inside from x=0.5: 13 s … 39 s → 27 s
    assert not any(run_forbidden(path))


def test_people_are_not_machinery() -> None:
    assert not any(run_forbidden([[(3, PERSON, 0.7, 0.8)]] * 60))


def test_a_short_gap_in_tracking_keeps_the_entry_time() -> None:
    positions = [[(1, EXCAVATOR, 0.7, 0.8)] if s % 10 != 5 else [] for s in range(35)]
    results = run_forbidden(positions)
    assert results[30] and results[30][0].since == at(0)


def test_outside_the_zone_does_not_fire() -> None:
    assert not any(run_forbidden([[(1, EXCAVATOR, 0.3, 0.8)]] * 60))


AREA = PermittedArea(
    name="一号采区",
    polygon=[(0.0, 0.5), (0.5, 0.5), (0.5, 1.0), (0.0, 1.0)],
    permit_no="C3601002010067120012345",
    valid_from=dt.date(2024, 1, 1),
    valid_to=dt.date(2025, 12, 31),
    dwell_s=20,
)


def run_permit(x: float, area: PermittedArea = AREA, cls: DomainClass = EXCAVATOR) -> list:
    rule = PermitRule(camera(area), [area], lost_s=5)
    found = []
    for second in range(30):
        when = at(second)
        found += rule.evaluate([make_track(1, cls, x, 0.8)], when, when.date())
    return found


def test_machinery_inside_a_valid_permit_is_lawful() -> None:
    assert run_permit(0.25) == []


def test_machinery_outside_every_permitted_area_fires() -> None:
    found = run_permit(0.75)
    assert found and {c.key.zone for c in found} == {OUTSIDE}
    assert all(c.key.kind is AlertKind.OUTSIDE_PERMIT for c in found)


def test_an_expired_permit_covers_nothing() -> None:
    expired = PermittedArea(
        **{**{f: getattr(AREA, f) for f in AREA.__struct_fields__}, "valid_to": dt.date(2025, 6, 1)}
    )
    found = run_permit(0.25, expired)
    assert found and found[0].key.zone == AREA.name and found[0].facts.permit_no == AREA.permit_no


def test_trucks_on_the_access_road_are_not_outside_a_permit() -> None:
    assert run_permit(0.75, cls=TRUCK) == []
