"""Catalogue versions, re-imports, CSV and seed-table round trips, refusals that write nothing."""

import asyncio
import random
from pathlib import Path

import pytest

from mobile_contract.auth import Role

SEED = Path(__file__).parents[2] / "fixtures" / "seed_000_county_measures.txt"


@pytest.fixture
async def supervisor(make_user, department):
    return await make_user(Role.SUPERVISOR, department)


def prefix() -> str:
    return str(random.randrange(10**7, 10**8))


def item(code: str, **content: object) -> dict:
    return {
        "code": code,
        "content": {
            "name": "采矿许可证核发后监管",
            "kind": "licensing",
            "change_type": "retained",
            "supervising_subject": "县自然资源局",
            "supervised_object": "采矿权人",
            "measures": ["核查是否越界开采", "核查矿山地质环境恢复治理"],
            "legal_basis": "《矿产资源法》",
            "responsible_person": "张三",
        }
        | content,
    }


async def import_seed(client, caller, text: str, code_prefix: str) -> dict:
    body = {"format": "seed_table", "text": text, "code_prefix": code_prefix}
    answer = await client.post("/catalogue/import", json=body, headers=caller.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_a_changed_row_gets_a_new_version_and_the_old_one_is_kept(client, pool, supervisor) -> None:
    code_prefix, text = prefix(), SEED.read_text(encoding="utf-8")
    await import_seed(client, supervisor, text, code_prefix)
    again = await import_seed(client, supervisor, text, code_prefix)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 18)
    edited = text.replace("3、支持和鼓励铬渣资源综合利用", "3、鼓励铬渣资源综合利用")
    changed = await import_seed(client, supervisor, edited, code_prefix)
    assert (changed["updated"], changed["unchanged"]) == (1, 17)
    code = f"{code_prefix}000001"
    current = (await client.get(f"/catalogue/by-code/{code}", headers=supervisor.headers)).json()
    history = (await client.get(f"/catalogue/{current['id']}/versions", headers=supervisor.headers)).json()
    assert [v["version"] for v in history] == [1, 2]
    assert history[0]["content"]["measures"][2].startswith("支持和鼓励")
    assert history[1]["content"]["measures"][2].startswith("鼓励铬渣")
    assert {v["changed_by"] for v in history} == {str(supervisor.principal.user_id)}
    actions = await pool.fetch("SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY seq", current["id"])
    assert [a["action"] for a in actions] == ["catalogue.create", "catalogue.update"]


async def test_csv_export_reimports_unchanged_and_carries_every_field(client, supervisor) -> None:
    code = prefix() + "000001"
    created = await client.post(
        "/catalogue", json=item(code, level="county", feedback="结果推送审批局"), headers=supervisor.headers
    )
    assert created.status_code == 201, created.text
    await import_seed(client, supervisor, SEED.read_text(encoding="utf-8"), prefix())
    exported = await client.get("/catalogue/export", params={"format": "csv"}, headers=supervisor.headers)
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text.startswith('\ufeff"事项编码","事项名称","事项类型","变更类型"')
    again = await client.post(
        "/catalogue/import", json={"format": "csv", "text": exported.text}, headers=supervisor.headers
    )
    assert (again.json()["unchanged"], again.json()["updated"]) == (19, 0)
    edited = exported.text.replace("张三", "李四")
    changed = await client.post("/catalogue/import", json={"format": "csv", "text": edited}, headers=supervisor.headers)
    assert changed.json()["updated"] == 1
    read = (await client.get(f"/catalogue/by-code/{code}", headers=supervisor.headers)).json()["content"]
    assert (read["responsible_person"], read["level"], read["feedback"]) == ("李四", "county", "结果推送审批局")


@pytest.mark.parametrize("text", ["\r0", '"事项编码\n' + "x" * 200_000 + '"\n'], ids=["bare-cr", "oversized"])
async def test_an_unreadable_csv_is_named_by_line_not_a_500(client, supervisor, text: str) -> None:
    """Found by the contract fuzzing: a bare CR raised csv.Error, a 500."""
    answer = await client.post("/catalogue/import", json={"format": "csv", "text": text}, headers=supervisor.headers)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] in {"表头", "第1行"}


async def test_seed_table_export_reimports_unchanged(client, supervisor) -> None:
    code_prefix = prefix()
    await import_seed(client, supervisor, SEED.read_text(encoding="utf-8"), code_prefix)
    exported = await client.get("/catalogue/export", params={"format": "seed_table"}, headers=supervisor.headers)
    again = await import_seed(client, supervisor, exported.text, code_prefix)
    assert (again["unchanged"], again["notes"]) == (18, [])


@pytest.mark.parametrize(
    ("damage", "where"),
    [
        (lambda t: t.replace("\t铬化合物生产建设项目审批\n", ""), "序号1"),
        (lambda t: t.replace("\t其他行政权力\n", "\t行政审核\n", 1), "序号11"),
        (lambda t: t.replace("\t实施\n部门", "\t部门"), "表头"),
    ],
)
async def test_a_bad_table_is_refused_whole(client, pool, supervisor, damage, where) -> None:
    body = {"format": "seed_table", "text": damage(SEED.read_text(encoding="utf-8")), "code_prefix": prefix()}
    answer = await client.post("/catalogue/import", json=body, headers=supervisor.headers)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"].startswith(where)
    count = await pool.fetchval(
        "SELECT count(*) FROM catalogue_items WHERE department_id = $1", supervisor.principal.department_id
    )
    assert count == 0


async def test_edits_need_the_current_version_and_stay_in_the_department(
    client, make_user, make_department, supervisor
) -> None:
    code = prefix() + "000001"
    created = (await client.post("/catalogue", json=item(code), headers=supervisor.headers)).json()
    path = f"/catalogue/{created['id']}"
    change = {"base_version": 1, "content": item(code, change_type="commitment")["content"]}
    assert (await client.put(path, json=change, headers=supervisor.headers)).json()["version"] == 2
    stale = {"base_version": 1, "content": item(code, handling="责令整改")["content"]}
    answer = await client.put(path, json=stale, headers=supervisor.headers)
    assert answer.status_code == 409 and answer.json()["code"] == "stale-version"
    other = await make_user(Role.SUPERVISOR, await make_department())
    assert (await client.get(path, headers=other.headers)).status_code == 404
    assert (await client.put(path, json=change | {"base_version": 2}, headers=other.headers)).status_code == 404
    taken = await client.post("/catalogue", json=item(code), headers=other.headers)
    assert taken.status_code == 409 and taken.json()["code"] == "item-code-taken"
    inspector = await make_user(Role.INSPECTOR, await make_department())
    assert (
        await client.post("/catalogue", json=item(prefix() + "000001"), headers=inspector.headers)
    ).status_code == 403


async def test_an_item_needs_at_least_one_measure(client, supervisor) -> None:
    answer = await client.post("/catalogue", json=item(prefix() + "000001", measures=[]), headers=supervisor.headers)
    assert answer.status_code == 422


async def test_concurrent_imports_of_one_table_make_each_item_once(client, pool, supervisor) -> None:
    body = {"format": "seed_table", "text": SEED.read_text(encoding="utf-8"), "code_prefix": prefix()}
    answers = await asyncio.gather(
        *(client.post("/catalogue/import", json=body, headers=supervisor.headers) for _ in range(4))
    )
    assert {a.status_code for a in answers} <= {200, 409}
    created = sum(a.json()["created"] for a in answers if a.status_code == 200)
    assert created == 18
    count = await pool.fetchval(
        "SELECT count(*) FROM catalogue_items WHERE department_id = $1", supervisor.principal.department_id
    )
    assert count == 18
    creations = await pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'catalogue.create' AND department_id = $1",
        supervisor.principal.department_id,
    )
    assert creations == 18
