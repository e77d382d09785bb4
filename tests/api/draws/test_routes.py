"""Draws through the API on the real database: published, re-runnable, on the handhelds, capped."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter

import msgspec
import pytest
from typer.testing import CliRunner

from api.cli import app as enforce
from api.draws.cli import check
from mobile_contract.auth import Role
from mobile_contract.draws import PublishedDraw
from tests.api.draws.subjects import make_uscc
from tests.factories import record_create, uuid7

ITEM_MINING = "36010100100001"
ITEM_LAND = "36010100200002"
SEED = "5eed00000000000000000000000000a1"


class Office(msgspec.Struct):
    """A department with a supervisor and enrolled inspectors."""

    department: object
    supervisor: object
    inspectors: list


@pytest.fixture
async def office(client, make_department, make_user):
    async def make(inspectors: int, skills: tuple[str, ...] = ("矿产",)) -> Office:
        department = await make_department()
        supervisor = await make_user(Role.SUPERVISOR, department)
        people = [await make_user(Role.INSPECTOR, department) for _ in range(inspectors)]
        for person in people:
            body = {"user_id": str(person.principal.user_id), "skills": list(skills)}
            answer = await client.put("/draws/inspectors", json=body, headers=supervisor.headers)
            assert answer.status_code == 200, answer.text
        return Office(department, supervisor, people)

    return make


async def register(client, office: Office, count: int, *, first: int) -> list[str]:
    """Subjects in the department's target register (/subjects)."""
    usccs = []
    for n in range(first, first + count):
        uscc = make_uscc(n)
        subject = {"party": {"kind": "legal_person", "name": f"某某石料厂{n}", "uscc": uscc}, "region_code": "360102"}
        answer = await client.post("/subjects", json=subject, headers=office.supervisor.headers)
        assert answer.status_code == 201, answer.text
        usccs.append(uscc)
    return usccs


async def plan_and_draw(
    client, office: Office, *items: tuple, permille: int, year: int = 2026, seed: str = SEED, **extra
) -> dict:
    plan = {
        "id": str(uuid7()),
        "title": "矿山开采双随机抽查",
        "items": [{"department_id": str(dept.department.id), "item_code": code} for dept, code in items],
        "sampling_permille": permille,
        "period_start": f"{year}-03-01",
        "period_end": f"{year}-06-30",
        **extra,
    }
    created = await client.post("/draws/plans", json=plan, headers=office.supervisor.headers)
    assert created.status_code == 201, created.text
    drawn = await client.post(f"/draws/plans/{plan['id']}/draw", json={"seed": seed}, headers=office.supervisor.headers)
    return drawn.json() | {"status": drawn.status_code, "plan_id": plan["id"]}


@pytest.fixture
def unique():
    """A fresh block of USCC numbers per test, so registers never overlap between tests."""
    return uuid.uuid4().int % 9_000_000


async def test_the_register_carries_credit_grade_risk_and_weight(client, office, unique) -> None:
    lead = await office(0)
    usccs = await register(client, lead, 2, first=unique)

    async def seen() -> list[tuple]:
        found = {t["uscc"]: t for t in (await client.get("/draws/targets", headers=lead.supervisor.headers)).json()}
        return [(found[u]["credit_grade"], found[u]["risk_level"], found[u]["weight"]) for u in usccs]

    assert await seen() == [("B", "low", 2), ("B", "low", 2)]  # no facts: grade B (5 risk points), low risk
    subject_id = (await client.get(f"/subjects/by-key/{usccs[1]}", headers=lead.supervisor.headers)).json()["id"]
    penalty = {"subject_id": subject_id, "kind": "penalty", "decided_on": dt.datetime.now(dt.UTC).date().isoformat(),
               "summary": "越界开采，罚款", "serious": True}  # fmt: skip
    assert (await client.post("/credit/records", json=penalty, headers=lead.supervisor.headers)).status_code == 201
    # Serious penalty: credit 80 − 40 → D; risk 15 (penalty) + 30 (grade D) = 45 → medium; weight 4 × 2.
    assert await seen() == [("B", "low", 2), ("D", "medium", 8)]


async def test_a_joint_draw_is_published_reruns_and_reaches_the_handhelds(client, pool, office, unique) -> None:
    lead, partner = await office(4), await office(3)
    usccs = await register(client, lead, 6, first=unique)
    drawn = await plan_and_draw(client, lead, (lead, ITEM_MINING), (partner, ITEM_LAND), permille=500)
    assert drawn["status"] == 200, drawn
    visits = drawn["document"]["visits"]
    assert len(visits) == 3 and {v["uscc"] for v in visits} <= set(usccs)
    for visit in visits:
        assert [t["department_id"] for t in visit["teams"]] == [str(lead.department.id), str(partner.department.id)]
        assert all(len(t["inspector_ids"]) == 2 for t in visit["teams"])

    public = await client.get(f"/draws/{drawn['document']['draw_id']}/published")  # no credentials: published
    assert public.status_code == 200 and public.json() == {k: drawn[k] for k in ("document", "sha256")}
    stored = await pool.fetchval("SELECT document_sha256 FROM draws WHERE plan_id = $1", uuid.UUID(drawn["plan_id"]))
    assert stored == drawn["sha256"]
    assert check(msgspec.json.decode(public.content, type=PublishedDraw)) == []

    drawn_ids = {i for v in visits for t in v["teams"] for i in t["inspector_ids"]}
    for person in lead.inspectors + partner.inspectors:
        pulled = (await client.get("/sync/pull", headers=person.headers)).json()["tasks"]
        mine = [t for t in pulled if t["source"] == "random_draw"]
        assert bool(mine) == (str(person.principal.user_id) in drawn_ids)
        for task in mine:
            assert task["detail"]["draw_id"] == drawn["document"]["draw_id"] and task["detail"]["joint"] is True


async def test_a_tampered_publication_fails_the_rerun(client, office, unique, tmp_path) -> None:
    lead = await office(3)
    await register(client, lead, 5, first=unique)
    drawn = msgspec.convert(
        {k: v for k, v in (await plan_and_draw(client, lead, (lead, ITEM_MINING), permille=400)).items()
         if k in ("document", "sha256")},
        PublishedDraw,
    )  # fmt: skip
    assert check(drawn) == []
    others = [t.uscc for t in drawn.document.targets if t.uscc not in {v.uscc for v in drawn.document.visits}]
    swapped = [msgspec.structs.replace(drawn.document.visits[0], uscc=others[0]), *drawn.document.visits[1:]]
    tampered = msgspec.structs.replace(drawn, document=msgspec.structs.replace(drawn.document, visits=swapped))
    assert check(tampered) == [
        "re-run gives other visits than the published ones",
        "SHA-256 of the document differs from the published one",
    ]
    for published, exit_code in ((drawn, 0), (tampered, 1)):  # the command anyone runs
        path = tmp_path / f"draw-{exit_code}.json"
        path.write_bytes(msgspec.json.encode(published))
        assert CliRunner().invoke(enforce, ["draws", "verify", str(path)]).exit_code == exit_code


async def test_last_inspectors_and_declared_relationships_are_never_drawn(client, office, unique) -> None:
    lead = await office(4)
    first, second = await register(client, lead, 2, first=unique)
    a, b, c, d = lead.inspectors
    record = record_create(a, b)
    record["content"]["party"]["uscc"] = first
    assert (await client.post("/records", json=record, headers=a.headers)).status_code == 201
    declared = {"inspector_id": str(c.principal.user_id), "uscc": second, "relationship": "配偶在该企业任职"}
    assert (await client.post("/draws/conflicts", json=declared, headers=c.headers)).status_code == 204

    drawn = await plan_and_draw(client, lead, (lead, ITEM_MINING), permille=1000)
    teams = {v["uscc"]: set(v["teams"][0]["inspector_ids"]) for v in drawn["document"]["visits"]}
    assert teams[first] == {str(c.principal.user_id), str(d.principal.user_id)}
    assert str(c.principal.user_id) not in teams[second]
    reasons = {(x["inspector_id"], x["uscc"], x["reason"]) for x in drawn["document"]["conflicts"]}
    assert (str(a.principal.user_id), first, "last_inspection") in reasons
    assert (str(c.principal.user_id), second, "declared") in reasons


async def test_a_target_short_of_free_inspectors_stops_the_draw(client, office, unique) -> None:
    lead = await office(2)
    (target,) = await register(client, lead, 1, first=unique)
    declared = {"inspector_id": str(lead.inspectors[0].principal.user_id), "uscc": target, "relationship": "亲属"}
    await client.post("/draws/conflicts", json=declared, headers=lead.supervisor.headers)
    drawn = await plan_and_draw(client, lead, (lead, ITEM_MINING), permille=1000)
    assert (drawn["status"], drawn["code"]) == (422, "draw-understaffed")


async def test_no_enterprise_exceeds_its_yearly_cap(client, pool, office, unique) -> None:
    lead = await office(6)
    usccs = await register(client, lead, 4, first=unique)
    for round_ in range(6):
        drawn = await plan_and_draw(
            client, lead, (lead, ITEM_MINING), permille=500, yearly_cap=2, seed=f"{round_:032x}"
        )
        assert drawn["status"] == 200, drawn
    rows = await pool.fetch("SELECT uscc, year FROM draw_visits WHERE uscc = ANY($1::text[])", usccs)
    per_subject = Counter(r["uscc"] for r in rows if r["year"] == 2026)
    assert sum(per_subject.values()) == 8 and max(per_subject.values()) == 2  # 4 subjects × cap 2, then none left
    next_year = await plan_and_draw(client, lead, (lead, ITEM_MINING), permille=1000, year=2027, yearly_cap=2)
    assert len(next_year["document"]["visits"]) == 4 and next_year["document"]["capped"] == []


async def test_drawing_again_returns_the_same_draw_and_other_departments_cannot(client, office, unique) -> None:
    lead, stranger = await office(3), await office(2)
    await register(client, lead, 3, first=unique)
    drawn = await plan_and_draw(client, lead, (lead, ITEM_MINING), permille=700)
    again = await client.post(f"/draws/plans/{drawn['plan_id']}/draw", json={}, headers=lead.supervisor.headers)
    assert again.json()["sha256"] == drawn["sha256"]
    theirs = await client.post(f"/draws/plans/{drawn['plan_id']}/draw", json={}, headers=stranger.supervisor.headers)
    assert theirs.status_code == 404


async def test_inspection_results_of_drawn_tasks_are_published(client, office, unique) -> None:
    lead = await office(2)
    (target,) = await register(client, lead, 1, first=unique)
    drawn = await plan_and_draw(client, lead, (lead, ITEM_MINING), permille=1000)
    results = f"/draws/{drawn['document']['draw_id']}/results"
    assert (await client.get(results)).json()["visits"][0]["status"] == "pending"
    a, b = lead.inspectors
    task = next(t for t in (await client.get("/sync/pull", headers=a.headers)).json()["tasks"])
    record = record_create(a, b, result="未发现越界开采，现场已拍照")
    record["content"] |= {"task_id": task["id"], "inspection_type": "random"}
    record["content"]["party"]["uscc"] = target
    assert (await client.post("/records", json=record, headers=a.headers)).status_code == 201
    published = (await client.get(results)).json()["visits"][0]
    assert (published["status"], published["results"]) == ("inspected", ["未发现越界开采，现场已拍照"])
