"""Cases for the desk pages' browser tests, built through the real API as handhelds and supervisors do."""

from __future__ import annotations

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from mobile_contract.auth import Role
from tests.api.cases.support import open_case, penalty, take, waive
from tests.api.evidence.conftest import Declared, upload_single
from tests.conftest import Caller
from tests.console import conftest as console  # its helpers, read at call time: conftest imports this module
from tests.factories import evidence_item


class Department(msgspec.Struct):
    """A department's desk: two inspectors, their supervisor (负责人) and a legal reviewer."""

    inspector: Caller
    partner: Caller
    head: Caller
    reviewer: Caller


@pytest.fixture
def make_desk(make_department, make_user):
    async def make() -> Department:
        department = await make_department()
        people = [await make_user(role, department) for role in (Role.INSPECTOR, Role.INSPECTOR, Role.SUPERVISOR)]
        reviewer = await make_user(Role.LEGAL_REVIEWER, department, device_id=None)
        return Department(*people, reviewer=reviewer)

    return make


async def case_under_review(client: AsyncTestClient, desk: Department, **content) -> tuple[str, list[Declared]]:
    """A filed, notified case with a verified photo and clip, statements waived, submitted to legal review."""
    items = [
        evidence_item(console.scene_jpeg(), media_type="image/jpeg"),
        evidence_item(console.clip_mp4(), media_type="video/mp4"),
    ]
    items[0][0]["description"] = "采坑东侧挖掘机作业"
    items[1][0].update(kind="video", description="执法记录仪：现场询问")
    case_id = await open_case(client, desk.inspector, desk.partner, evidence=[i for i, _ in items], **content)
    answer = await client.get(f"/records?case_id={case_id}", headers=desk.inspector.headers)
    record_id = answer.json()["items"][0]["id"]
    declared = [Declared(id=item["id"], record_id=record_id, data=data) for item, data in items]
    for item in declared:
        await upload_single(client, desk.inspector, item)
    await take(client, desk.head, case_id, {"action": "file"})
    grounds = {"action": "set_review_grounds", "grounds": ["complex"], "reason": "涉及多个法律关系"}
    await take(client, desk.inspector, case_id, grounds)
    notify = {"action": "notify", "penalty": penalty(), "hearing_rights": False}
    await take(client, desk.inspector, case_id, notify)
    await waive(client, desk.inspector, case_id)
    await take(client, desk.inspector, case_id, {"action": "submit_review"})
    return case_id, declared
