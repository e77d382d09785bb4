import datetime as dt

import pytest

from mobile_contract.alerts import AlertKind
from mobile_contract.sites import DomainClass, ProhibitedHours
from tests.vision.helpers import CST, camera, site
from tests.vision.helpers import track as make_track
from vision.rules.hours import ProhibitedHoursRule, in_window

NIGHT = ProhibitedHours(start=dt.time(22, 0), end=dt.time(6, 0), weekdays=frozenset({1, 2, 3, 4, 5}))


@pytest.mark.parametrize(
    ("local", "inside"),
    [
        (dt.datetime(2025, 6, 2, 23, 0), True),  # Monday night
        (dt.datetime(2025, 6, 3, 5, 59), True),  # Tuesday morning, Monday's window
        (dt.datetime(2025, 6, 3, 6, 0), False),
        (dt.datetime(2025, 6, 2, 21, 59), False),
        (dt.datetime(2025, 6, 7, 23, 0), False),  # Saturday night: not in weekdays
        (dt.datetime(2025, 6, 7, 2, 0), True),  # Saturday 02:00 belongs to Friday's window
        (dt.datetime(2025, 6, 9, 2, 0), False),  # Monday 02:00 belongs to Sunday's
    ],
)
def test_windows_past_midnight_belong_to_the_day_they_start(local: dt.datetime, inside: bool) -> None:
    assert in_window(local.replace(tzinfo=CST), NIGHT) is inside


def run(start: dt.datetime, *, moving: bool, seconds: int = 20, cls: DomainClass = DomainClass.EXCAVATOR) -> list:
    cam = camera()
    rule = ProhibitedHoursRule(site(cam, prohibited_hours=[NIGHT]), cam, min_active_s=5, lost_s=5)
    found = []
    for s in range(seconds):
        found += rule.evaluate([make_track(1, cls, 0.5, 0.8, moving=moving)], start + dt.timedelta(seconds=s))
    return found


def test_working_machinery_at_night_fires_after_the_minimum_time() -> None:
    start = dt.datetime(2025, 6, 2, 23, 10, tzinfo=CST)
    found = run(start, moving=True)
    assert found and found[0].at == start + dt.timedelta(seconds=5)
    assert found[0].key.kind is AlertKind.PROHIBITED_HOURS and found[0].key.zone == "22:00–06:00"


def test_the_site_timezone_decides_not_utc() -> None:
    utc_evening = dt.datetime(2025, 6, 2, 15, 10, tzinfo=dt.UTC)  # 23:10 in Asia/Shanghai
    assert run(utc_evening, moving=True)


def test_parked_machinery_at_night_is_normal() -> None:
    assert run(dt.datetime(2025, 6, 2, 23, 10, tzinfo=CST), moving=False) == []


def test_work_by_day_is_allowed() -> None:
    assert run(dt.datetime(2025, 6, 2, 10, 10, tzinfo=CST), moving=True) == []


def test_trucks_are_not_machinery_for_this_rule() -> None:
    assert run(dt.datetime(2025, 6, 2, 23, 10, tzinfo=CST), moving=True, cls=DomainClass.DUMP_TRUCK) == []
