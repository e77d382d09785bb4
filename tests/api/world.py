"""A small world of department B's objects, one of each kind, and callers of every role in A and B.

Shared by the department-scope acceptance (tests/api/acceptance/test_department_scope.py) and the
examination (tests/api/acceptance/test_examination.py). The objects belong to department B ("the
owner"); department A's users must never read them. ``BODIES`` holds a valid body for
each route that changes an object with a path parameter, so a refusal is never a 422.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from typing import Any

import msgspec
from litestar import Litestar

from mobile_contract.auth import Role
from tests.api.alerts.conftest import Monitoring
from tests.api.approvals.helpers import push
from tests.api.catalogue.test_routes import item as catalogue_item
from tests.api.complaints.test_routes import submit
from tests.api.review.test_routes import case_with_evidence
from tests.api.sites.factories import register_site, site_config
from tests.api.subjects.factories import company, permit
from tests.conftest import DOCUMENT_SETTINGS, Caller
from tests.factories import evidence_item, inspection, record_create, uuid7

NOT_WALKED = {"/schema/{path:str}", "/alerts/stream"}  # the schema is public; the stream has its own scope test
STATIC_FILES = "/assets/"  # the console's scripts, styles and fonts: public (the sign-in page needs them), no data


class World(msgspec.Struct):
    """Department B's objects, and the callers of both departments by role (admins included)."""

    b_ids: dict[str, str]
    a: dict[Role, Caller]
    b: dict[Role, Caller]
    a_partner: Caller
    a_site: str
    a_camera: str


def case_content() -> dict:
    return {
        "title": "疑似越界开采", "item_code": "36010100100001",
        "party": {"kind": "legal_person", "name": "某某石料有限公司", "uscc": "91350100M000100Y43"},
        "region_code": "360102", "found_at": "2026-11-20T08:00:00+00:00", "place": {"address": "某县某镇塘口"},
    }  # fmt: skip


def alert_body(world: World, alert_id: str) -> dict:
    started = dt.datetime(2026, 11, 1, 23, 5, tzinfo=dt.UTC).isoformat()
    return {"id": alert_id, "revision": 2, "site_id": world.a_site, "camera_id": world.a_camera,
            "kind": "prohibited_hours", "severity": "warning", "started_at": started,
            "last_seen_at": started, "summary": "夜间作业"}  # fmt: skip


LIST_QUERIES = {
    "/alerts/statistics": {"period_from": "2026-01-01", "period_to": "2026-12-31"},
    "/risk/performance": {"period_from": "2026-01-01", "period_to": "2026-12-31"},
    "/risk/performance/chart.png": {"period_from": "2026-01-01", "period_to": "2026-12-31"},
}

# (method, route path) → body as department A would send it, given the path's B object id
BODIES: dict[tuple[str, str], Any] = {
    ("PUT", "/records/{record_id:uuid}"): lambda w, i: {
        "base_version": 1,
        "content": inspection(w.a[Role.INSPECTOR], w.a_partner),
    },
    ("PUT", "/cases/{case_id:uuid}"): lambda w, i: {"base_version": 1, "content": case_content()},
    ("POST", "/tasks/{task_id:uuid}/complete"): lambda w, i: None,
    ("PUT", "/alerts/{alert_id:uuid}"): alert_body,
    ("POST", "/alerts/{alert_id:uuid}/acknowledge"): lambda w, i: {"note": "收到"},
    ("POST", "/alerts/{alert_id:uuid}/dispatch"): lambda w, i: {
        "inspector_id": str(w.a[Role.INSPECTOR].principal.user_id)
    },
    ("POST", "/alerts/{alert_id:uuid}/close"): lambda w, i: {"feedback": "已核查", "outcome": "violation_confirmed"},
    # console pages (bearer-authenticated here, so no CSRF token): the form's fields come as JSON and are ignored
    ("POST", "/console/alerts/{alert_id:uuid}/acknowledge"): lambda w, i: {},
    ("POST", "/console/alerts/{alert_id:uuid}/dispatch"): lambda w, i: {},
    ("POST", "/console/alerts/{alert_id:uuid}/close"): lambda w, i: {},
    ("POST", "/console/sites/{site_id:str}/activate"): lambda w, i: {},
    ("POST", "/console/sites/{site_id:str}/deactivate"): lambda w, i: {},
    ("POST", "/console/reviews/{case_id:uuid}/conclusion"): lambda w, i: {},
    ("PUT", "/sites/{site_id:str}"): lambda w, i: site_config(i, version=2),
    ("PUT", "/cameras/{site_id:str}/{camera_id:str}/credentials"): lambda w, i: {"username": "u", "password": "p"},
    ("POST", "/sites/{site_id:str}/activate"): lambda w, i: None,
    ("DELETE", "/sites/{site_id:str}"): lambda w, i: None,
    ("PATCH", "/users/{user_id:uuid}"): lambda w, i: {"display_name": "改名"},
    ("PUT", "/devices/{device_id:str}/binding"): lambda w, i: {"user_id": str(w.a[Role.INSPECTOR].principal.user_id)},
    ("POST", "/devices/{device_id:str}/revoke"): lambda w, i: None,
    ("PATCH", "/departments/{department_id:uuid}"): lambda w, i: {"name": "改名"},
    ("PUT", "/departments/{department_id:uuid}/document-settings"): lambda w, i: DOCUMENT_SETTINGS,
    ("POST", "/cases/{case_id:uuid}/shares"): lambda w, i: {
        "id": str(uuid7()),
        "recipient_name": "李检察官",
        "recipient_organ": "某区人民检察院",
    },
    ("POST", "/shares/{share_id:uuid}/revocation"): lambda w, i: {"reason": "撤销"},
    ("PUT", "/evidence/{evidence_id:uuid}/disclosure"): lambda w, i: {"withheld": True, "reason": "不予披露"},
    ("PUT", "/catalogue/{item_id:uuid}"): lambda w, i: {
        "base_version": 1,
        **{"content": catalogue_item("1")["content"]},
    },
    ("PATCH", "/subjects/{subject_id:uuid}"): lambda w, i: {"legal_representative": "王五"},
    ("PUT", "/permits/{permit_id:uuid}"): lambda w, i: (
        {k: v for k, v in permit(i, "x").items() if k not in ("permit_no", "subject_id")}
        | {"base_version": 1, "status": "valid"}
    ),
    ("POST", "/credit/records/{record_id:uuid}/reported"): lambda w, i: {"reported_at": "2026-11-20T10:00:00+08:00"},
    ("POST", "/credit/requests/{request_id:uuid}/decision"): lambda w, i: {"accept": True, "reply": "准予"},
    ("POST", "/approvals/{approval_id:uuid}/findings"): lambda w, i: {
        "id": str(uuid7()),
        "kind": "promise_kept",
        "summary": "x",
    },
    ("POST", "/approvals/{approval_id:uuid}/objections"): lambda w, i: {
        "id": str(uuid7()),
        "grounds": "forged_material",
        "reason": "x",
    },
    ("POST", "/approvals/objections/{objection_id:uuid}/answer"): lambda w, i: {"decision": "revoked", "answer": "x"},
    ("POST", "/complaints/{complaint_id:uuid}/decision"): lambda w, i: {"accept": True, "reason": "x"},
    ("POST", "/complaints/{complaint_id:uuid}/transfer"): lambda w, i: {
        "department_id": str(w.a[Role.SUPERVISOR].principal.department_id)
    },
    ("POST", "/complaints/{complaint_id:uuid}/dispatch"): lambda w, i: {
        "task_id": str(uuid7()),
        "assignee_id": str(w.a[Role.INSPECTOR].principal.user_id),
    },
    ("POST", "/complaints/{complaint_id:uuid}/result"): lambda w, i: {"result": "x"},
    ("POST", "/complaints/{complaint_id:uuid}/feedback"): lambda w, i: {"feedback": "x"},
    ("POST", "/complaints/{complaint_id:uuid}/supervise"): lambda w, i: {"note": "x"},
    ("POST", "/draws/plans/{plan_id:uuid}/draw"): lambda w, i: {"seed": "00" * 16},
    ("POST", "/credit/lists/{entry_id:uuid}/exit"): lambda w, i: {
        "exited_on": dt.date.today().isoformat(),
        "reason": "期满",
    },
    ("POST", "/evidence/{evidence_id:uuid}/upload"): lambda w, i: {},
    ("POST", "/evidence/{evidence_id:uuid}/upload/parts"): lambda w, i: {
        "parts": [{"part_number": 1, "sha256": "0" * 64}]
    },
    ("POST", "/evidence/{evidence_id:uuid}/finalize"): lambda w, i: None,
    ("POST", "/evidence/{evidence_id:uuid}/legal-hold"): lambda w, i: {"enabled": True, "reason": "保全"},
    ("POST", "/cases/{case_id:uuid}/workflow/steps"): lambda w, i: {"id": str(uuid7()), "step": {"action": "file"}},
    ("POST", "/cases/{case_id:uuid}/publication"): lambda w, i: {"id": str(uuid7())},
    ("POST", "/publications/{publication_id:uuid}/withdrawal"): lambda w, i: {
        "event_id": str(uuid7()),
        "reason": "撤回公示",
    },
    ("POST", "/reviews/{case_id:uuid}/conclusion"): lambda w, i: {
        "event_id": str(uuid7()),
        "outcome": "pass",
        "reasons": "同意",
    },
    ("POST", "/discretion/versions/{table_id:uuid}/publish"): lambda w, i: None,
}


async def build_world(client, make_department, make_user, put_evidence) -> World:
    """Build it (the test module imports the cases' pinned day, ``pinned_today``, an autouse fixture)."""
    dept_a, dept_b = await make_department(), await make_department(region_code="360103")
    a = {role: await make_user(role, dept_a, device_id=_device_of(role)) for role in Role}
    b = {role: await make_user(role, dept_b, device_id=_device_of(role)) for role in Role}
    # The approval bureau is an agency of its own (行政审批服务局) that pushes approvals to department B.
    b[Role.APPROVAL_BUREAU] = await make_user(Role.APPROVAL_BUREAU, await make_department(region_code="360103"))
    a_partner, b_partner = await make_user(Role.INSPECTOR, dept_a), await make_user(Role.INSPECTOR, dept_b)
    b_inspector, b_supervisor = b[Role.INSPECTOR], b[Role.SUPERVISOR]
    case = {"id": str(uuid7()), "content": case_content()}
    assert (await client.post("/cases", json=case, headers=b_inspector.headers)).status_code == 201
    item, _ = evidence_item()
    video, _ = evidence_item(os.urandom(6 * 1024 * 1024), media_type="video/mp4")  # declared, uploaded in parts
    record = record_create(b_inspector, b_partner, evidence=[item, video])
    record["content"]["case_id"] = case["id"]
    assert (await client.post("/records", json=record, headers=b_inspector.headers)).status_code == 201
    task = {"id": str(uuid7()), "assignee_id": str(b_inspector.principal.user_id), "title": "复查"}
    assert (await client.post("/tasks", json=task, headers=b_supervisor.headers)).status_code == 201
    b_operator, b_node = b[Role.MONITORING_OPERATOR], b[Role.VISION_NODE]
    b_site, a_site = await register_site(client, b_operator), await register_site(client, a[Role.MONITORING_OPERATOR])
    monitoring = Monitoring(dept_b, b_operator, b_node, b_site["id"], b_site["config"]["cameras"][0]["id"])
    alert = monitoring.alert(media=[put_evidence(os.urandom(4096), key=monitoring.media_key())])
    delivered = await client.put(f"/alerts/{alert['id']}", json=alert, headers=b_node.headers)
    assert delivered.status_code == 201 and delivered.json()["media"][0]["verification"] == "verified", delivered.text
    started = await client.post(
        f"/evidence/{video['id']}/upload",
        json={"multipart": True, "part_size": 5 * 1024 * 1024},
        headers=b_inspector.headers,
    )
    assert started.status_code == 200, started.text
    review_case, verified = await case_with_evidence(client, b_inspector, b_partner, b_supervisor)
    device = {"id": f"DEV-B-{uuid.uuid4().hex[:8]}", "user_id": str(b_inspector.principal.user_id)}
    assert (await client.post("/devices", json=device, headers=b[Role.ADMIN].headers)).status_code == 201
    credit = await _credit_world(client, await make_user(Role.SUPERVISOR, dept_b), b_inspector)
    workflow_ids = await decided_and_published(client, b_inspector, b_partner, b_supervisor)
    handover_ids = await _handover_world(client, dept_b, b, b_partner)
    b_share = {"id": str(uuid7()), "recipient_name": "李检察官", "recipient_organ": "某区人民检察院"}
    shared = await client.post(f"/cases/{case['id']}/shares", json=b_share, headers=b_supervisor.headers)
    assert shared.status_code == 201, shared.text
    b_ids = {
        **credit,
        **workflow_ids,
        **handover_ids,
        "record_id": record["id"],
        "case_id": case["id"],
        "task_id": task["id"],
        "alert_id": alert["id"],
        "site_id": b_site["id"],
        "camera_id": b_site["config"]["cameras"][0]["id"],
        "user_id": str(b_inspector.principal.user_id),
        "device_id": device["id"],
        "department_id": str(dept_b.id),
        "evidence_id": item["id"],
        "media_id": str(delivered.json()["media"][0]["id"]),
        "review_case_id": review_case,
        "verified_evidence_id": verified.id,
        "uploading_evidence_id": video["id"],
        "entity_type": "record",
        "entity_id": record["id"],
        "username": b_inspector.principal.username,
        "address": "203.0.113.250",
        "share_id": b_share["id"],
        "token": shared.json()["url"].rsplit("/", 1)[-1],
        "n": "0",
        "version": "1",
    }  # fmt: skip  (version: the calendar seeded from chinesecalendar)
    return World(b_ids, a, b, a_partner, a_site["id"], a_site["config"]["cameras"][0]["id"])


def _device_of(role: Role) -> str | None:
    """Handhelds are for inspectors; machine accounts and admins sign in without one."""
    return "DEV-TEST-0001" if role is Role.INSPECTOR else None


async def _credit_world(client, supervisor: Caller, inspector: Caller) -> dict[str, str]:
    """B's catalogue item, subject (not in A's register), permit, credit record, request and list entry."""
    code = f"{uuid.uuid4().int % 10**14:014d}"
    made = {}
    for path, body in (("/catalogue", catalogue_item(code)), ("/subjects", company())):
        answer = await client.post(path, json=body, headers=supervisor.headers)
        assert answer.status_code in (200, 201), answer.text
        made[path] = answer.json()
    subject = made["/subjects"]["id"]
    today = dt.date.today().isoformat()
    bodies = {
        "/permits": permit(subject, f"C36{uuid.uuid4().hex[:12]}"),
        "/credit/records": {"subject_id": subject, "kind": "complaint_upheld", "decided_on": today, "summary": "x"},
        "/credit/lists": {"subject_id": subject, "list": "blacklist", "entered_on": today, "reason": "x", "basis": "y"},
    }
    for path, body in bodies.items():
        answer = await client.post(path, json=body, headers=supervisor.headers)
        assert answer.status_code == 201, answer.text
        made[path] = answer.json()
    objection = {"kind": "objection", "record_id": made["/credit/records"]["id"], "applicant": "某某公司",
                 "filed_on": today, "statement": "异议"}  # fmt: skip
    answer = await client.post("/credit/requests", json=objection, headers=supervisor.headers)
    assert answer.status_code == 201, answer.text
    return {"code": code, "item_id": made["/catalogue"]["id"], "subject_id": subject,
            "key": made["/subjects"]["key"], "permit_id": made["/permits"]["id"],
            "credit_record_id": made["/credit/records"]["id"], "request_id": answer.json()["id"],
            "entry_id": made["/credit/lists"]["id"]}  # fmt: skip


async def _handover_world(client, dept_b, b: dict[Role, Caller], partner: Caller) -> dict[str, str]:
    """B's approval (pushed by its bureau) with an objection, B's complaint, B's draw plan and its draw."""
    approval = await client.post("/approvals/results", json=push(dept_b), headers=b[Role.APPROVAL_BUREAU].headers)
    assert approval.status_code in (200, 201), approval.text
    objection = {"id": str(uuid7()), "grounds": "forged_material", "reason": "材料伪造"}
    url = f"/approvals/{approval.json()['id']}/objections"
    assert (await client.post(url, json=objection, headers=b[Role.SUPERVISOR].headers)).status_code == 200
    _, complaint_id = await submit(client, b[Role.COMPLAINT_OFFICER])
    items = [{"department_id": str(dept_b.id), "item_code": "36010100100001"}]
    plan = {"id": str(uuid7()), "title": "抽查", "items": items, "sampling_permille": 500,
            "period_start": "2026-03-01", "period_end": "2026-06-30"}  # fmt: skip
    assert (await client.post("/draws/plans", json=plan, headers=b[Role.SUPERVISOR].headers)).status_code == 201
    for inspector in (b[Role.INSPECTOR], partner):
        body = {"user_id": str(inspector.principal.user_id), "skills": ["矿产"]}
        assert (await client.put("/draws/inspectors", json=body, headers=b[Role.SUPERVISOR].headers)).status_code == 200
    url = f"/draws/plans/{plan['id']}/draw"
    drawn = await client.post(url, json={"seed": "00" * 16}, headers=b[Role.SUPERVISOR].headers)
    assert drawn.status_code == 200, drawn.text
    return {"approval_id": approval.json()["id"], "objection_id": objection["id"], "complaint_id": complaint_id,
            "plan_id": plan["id"], "draw_id": drawn.json()["document"]["draw_id"]}  # fmt: skip


async def decided_and_published(client, inspector: Caller, partner: Caller, head: Caller) -> dict[str, str]:
    """Department B's numbered document, published decision and discretion benchmark version."""
    case = {"id": str(uuid7()), "content": case_content()}
    await client.post("/cases", json=case, headers=inspector.headers)
    record = record_create(inspector, partner)
    record["content"]["case_id"] = case["id"]
    await client.post("/records", json=record, headers=inspector.headers)
    penalty = {"violation_code": "V", "circumstance": "ordinary", "facts": "越界开采", "legal_basis": "第四十条",
               "kinds": ["warning"]}  # fmt: skip
    steps = [(head, {"action": "file"}), (inspector, {"action": "notify", "penalty": penalty, "hearing_rights": False}),
             (inspector, {"action": "record_statement", "waives_statement": True}),
             (head, {"action": "decide", "penalty": penalty})]  # fmt: skip
    for caller, step in steps:
        answer = await client.post(f"/cases/{case['id']}/workflow/steps", json={"id": str(uuid7()), "step": step},
                                   headers=caller.headers)  # fmt: skip
        assert answer.status_code == 201, answer.text
    publication = str(uuid7())
    assert (await client.post(f"/cases/{case['id']}/publication", json={"id": publication},
                              headers=head.headers)).status_code == 201  # fmt: skip
    documents = (await client.get(f"/cases/{case['id']}/documents", headers=head.headers)).json()
    document = next(d["id"] for d in documents if d["kind"] == "decision")  # served: it has a blank receipt form
    csv = "violation_code,violation,legal_basis,circumstance,penalty_kinds,fine_min_yuan,fine_max_yuan,note\n"
    csv += "V,v,b,minor,warning,0,0,\n"
    table = (await client.post("/discretion/versions", json={"title": "B", "csv": csv}, headers=head.headers)).json()
    return {"publication_id": publication, "document_id": document, "table_id": table["id"]}


def walked_routes(app: Litestar) -> list[tuple[str, str, frozenset[Role]]]:
    routes = []
    for route in app.routes:
        if route.path in NOT_WALKED or route.path.startswith(STATIC_FILES):
            continue
        for handler in getattr(route, "route_handlers", []):
            roles = frozenset(r for g in handler.resolve_guards() for r in getattr(getattr(g, "func", g), "roles", ()))
            for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                routes.append((method, route.path, roles))
    return routes


def ids_for(path: str, ids: dict[str, str]) -> dict[str, str]:
    """Path parameter → B's object, in the state the route needs to answer at all (a case under review,
    a verified photo, an upload under way); /credit/records/{record_id} names a credit record."""
    special = {
        "/credit/records/": {"record_id": ids["credit_record_id"]},
        "/reviews/": {"case_id": ids["review_case_id"]},
        "/console/reviews/": {"case_id": ids["review_case_id"]},
        "/evidence/{evidence_id:uuid}/download": {"evidence_id": ids["verified_evidence_id"]},
        "/evidence/{evidence_id:uuid}/upload/parts": {"evidence_id": ids["uploading_evidence_id"]},
    }
    return ids | next((changes for prefix, changes in special.items() if path.startswith(prefix)), {})


def fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+):\w+\}", lambda m: ids_for(path, ids)[m.group(1)], path)
