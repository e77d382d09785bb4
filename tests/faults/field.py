"""The work a scenario's handheld does: a device signed in, a day's queue."""

from __future__ import annotations

from tests.faults.handheld import Handheld
from tests.faults.installation import Installation


def field_queue(device: Handheld, operations: int) -> None:
    """A day's work: one case in ten operations, its records after it, the rest stand-alone records."""
    while len(device.copy) < operations:
        case_id = device.make_case()
        for _ in range(min(4, operations - len(device.copy))):
            device.make_record(case_id=case_id)
        for _ in range(min(5, operations - len(device.copy))):
            device.make_record()


def a_device(installation: Installation, *, url: str | None = None) -> Handheld:
    """An inspector's signed-in handheld (its partner officer is enrolled too), talking to ``url`` or the API."""
    inspector = installation.enrol("inspector", handheld=True)
    device = Handheld(url or installation.url, inspector, installation.enrol("inspector"))
    device.sign_in()
    return device
