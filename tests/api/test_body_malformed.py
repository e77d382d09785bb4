"""A body that is not JSON a server can read is a 400 problem in Chinese on every route, never a 500."""

from __future__ import annotations

import re
import uuid

import pytest
from litestar.testing import AsyncTestClient

from mobile_contract.auth import Role

DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
NOT_UTF8 = b'{"title": "\xff\xfe\xe7\x9f"}'
CUT_OFF = b'{"title": "\xe7\x9f\xbf\xe5'
BODIES = {"nested": DEEP, "nested-object": DEEP_OBJECT, "not-utf-8": NOT_UTF8, "cut-off": CUT_OFF}
HAN = re.compile(r"[\u4e00-\u9fff]")


def assert_bad_request(answer) -> None:
    assert answer.status_code == 400, answer.text[:300]
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["code"] == "bad-request"
    assert HAN.search(problem["detail"])
    assert "Error" not in problem["detail"] and "\\x" not in problem["detail"]


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
async def test_public_complaint_intake(client: AsyncTestClient, body: bytes) -> None:
    answer = await client.post("/complaints/submit", content=body, headers={"content-type": "application/json"})
    assert_bad_request(answer)


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
@pytest.mark.parametrize("path", ["/records", "/sync/push", "/catalogue", f"/alerts/{uuid.uuid4()}/dispatch"])
async def test_signed_in_routes(client: AsyncTestClient, make_user, department, path: str, body: bytes) -> None:
    role = {"/catalogue": Role.SUPERVISOR}.get(path, Role.INSPECTOR)
    role = Role.MONITORING_OPERATOR if "alerts" in path else role
    caller = await make_user(role, department)
    headers = caller.headers | {"content-type": "application/json"}
    assert_bad_request(await client.post(path, content=body, headers=headers))


FORMS = {
    "no-boundary-end": b"--x\r\nContent-Disposition: form-data\r\n\r\nbroken",
    "field-name-not-utf-8": b'--x\r\nContent-Disposition: form-data; name="\xf3\xb4\xae"\r\n\r\n1\r\n--x--\r\n',
}


@pytest.mark.parametrize("body", FORMS.values(), ids=FORMS.keys())
async def test_public_verification_form(client: AsyncTestClient, body: bytes) -> None:
    """Found by the contract fuzzing: Litestar's English refusal of a malformed form, a 500 for a non-UTF-8 name."""
    headers = {"content-type": "multipart/form-data; boundary=x"}
    assert_bad_request(await client.post("/verify/0", content=body, headers=headers))
