"""A flaky link: 30 % of answers lost after the server committed, requests repeated and reordered,
records arriving before their case, and the same id with two contents in one push.

The device pushes its queue in random order, 25 at a time, through ``FailingLink``; whatever is
answered "case not yet synced" stays queued and goes again in a later round. A few stand-alone
records are pushed together with a twin (same id, other content): the first content is stored, the
twin refused with ``id-conflict`` every time it is sent.
"""

from __future__ import annotations

import random
import time

import pytest

from tests.faults.examine import examine
from tests.faults.field import a_device, field_queue
from tests.faults.handheld import Made
from tests.faults.installation import Installation
from tests.faults.proxy import FailingLink

pytestmark = [pytest.mark.integration, pytest.mark.faults]
BATCH = 25
DROP, DUPLICATE = 0.3, 0.15


def test_a_flaky_link_loses_and_repeats_nothing(installation: Installation, size, report) -> None:
    device = a_device(installation)
    field_queue(device, size.operations)
    order = random.Random(size.operations)
    standalone = [
        id
        for id, made in device.copy.items()
        if made.kind == "record" and "case_id" not in made.op["record"]["content"]
    ]
    twinned = set(order.sample(standalone, 5))
    twin_answers: list[str] = []
    started = time.monotonic()
    with FailingLink(installation.served.port, drop=DROP, duplicate=DUPLICATE, max_delay_s=0.05, seed=7) as link:
        device.http.close()
        device.http = type(device.http)(base_url=link.url, timeout=60)
        rounds = 0
        while device.queue:
            rounds += 1
            queued = order.sample(device.queue, len(device.queue))
            for start in range(0, len(queued), BATCH):
                ids = queued[start : start + BATCH]
                twins = [device.make_conflicting_twin(id) for id in ids if id in twinned]
                twin_answers += [
                    (r.get("problem") or {}).get("code", r["status"]) for r in device.push_ids(ids, twins=twins)
                ]
    took = time.monotonic() - started
    tally = examine(
        installation,
        device,
        "flaky link",
        size.name,
        note=f"{link.forwarded} requests forwarded, {link.dropped} answers dropped after commit, "
        f"{link.duplicated} requests duplicated, {rounds} rounds in random order, {took:.1f} s; "
        f"{len(twin_answers)} twins refused",
    )
    device.close()
    report.append(tally)
    assert (tally.sent, tally.duplicated, tally.lost) == (size.operations, 0, 0), tally
    assert link.dropped > 0 and link.duplicated > 0 and rounds > 1
    assert set(twin_answers) == {"id-conflict"}


def standalone(made: Made) -> bool:
    """A record outside any case (a twin of one inside a case would be refused for the case first)."""
    return made.kind == "record" and "case_id" not in made.op["record"]["content"]
