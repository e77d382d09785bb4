"""Builders for approval hand-over tests: a bureau, a supervising department and pushes."""

from __future__ import annotations

import uuid

import msgspec

from mobile_contract.auth import Role
from tests.api.draws.subjects import make_uscc


class Parties(msgspec.Struct):
    bureau: object
    department: object
    supervisor: object


async def parties(make_department, make_user) -> Parties:
    bureau = await make_user(Role.APPROVAL_BUREAU, await make_department())
    department = await make_department()
    return Parties(bureau, department, await make_user(Role.SUPERVISOR, department))


def push(department, *, commitment: bool = False, **changes) -> dict:
    body = {
        "bureau_ref": f"SP-{uuid.uuid4().hex[:12]}",
        "item_code": "36010100300003",
        "item_name": "采矿许可证延续登记",
        "applicant_uscc": make_uscc(uuid.uuid4().int % 9_000_000),
        "applicant_name": "某某石料有限公司",
        "department_code": department.code,
        "decided_on": "2026-11-02",
        "licence_no": "C3601002009127120045678",
    }
    if commitment:
        body |= {"commitment": True, "promise": "承诺按开发利用方案开采，不越界", "verify_within_days": 60}
    return body | changes
