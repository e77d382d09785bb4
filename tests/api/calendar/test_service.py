"""Loading a year's holiday notice: validated, versioned, audited; deadlines counted on it and recomputed.

``tests/fixtures/holidays-2027-TEST-FIXTURE.csv`` is TEST DATA, not the State Council's notice for
2027 (not published when this was written): its days are marked 测试数据 and its document number
TEST-FIXTURE. Each test that counts on it loads it itself, as the newest version of 2027.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from api.cases import clock
from tests.api.cases.support import open_case, penalty, take
from tests.api.discretion.test_cli import run_enforce
from tests.factories import uuid7

FIXTURE = Path(__file__).parents[2] / "fixtures" / "holidays-2027-TEST-FIXTURE.csv"
TEST_NOTICE = {"year": 2027, "document_no": "TEST-FIXTURE", "title": "测试数据（非国务院通知）", "format": "csv"}


def pin(monkeypatch, day: dt.date) -> None:
    monkeypatch.setattr(clock, "today", lambda: day)


async def load(client, admin, text: str = "", **fields) -> dict:
    body = TEST_NOTICE | {"text": text or FIXTURE.read_text(encoding="utf-8")} | fields
    answer = await client.post("/calendar/versions", json=body, headers=admin.headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


async def notify(client, head, inspector, partner, **notice) -> tuple[str, dict]:
    case_id = await open_case(client, inspector, partner)
    await take(client, head, case_id, {"action": "file"})
    step = {"action": "notify", "penalty": penalty(), "hearing_rights": False} | notice
    answer = await client.post(
        f"/cases/{case_id}/workflow/steps", json={"id": str(uuid7()), "step": step}, headers=inspector.headers
    )
    return case_id, answer.json() | {"http_status": answer.status_code}


async def test_loading_2027_is_versioned_and_audited(client, pool, admin) -> None:
    loaded = await load(client, admin)
    version = loaded["version"]
    assert (version["years"], version["document_no"], version["days"], version["source"]) == (
        [2027], "TEST-FIXTURE", 11, "notice",
    )  # fmt: skip
    assert version["imported_by"] == str(admin.principal.user_id)
    entry = await pool.fetchrow(
        "SELECT actor_id, detail FROM audit_log WHERE action = 'calendar.import' AND entity_id = $1",
        str(version["version"]),
    )
    assert entry["actor_id"] == admin.principal.user_id and entry["detail"]["document_no"] == "TEST-FIXTURE"
    days = (await client.get(f"/calendar/versions/{version['version']}", headers=admin.headers)).json()
    assert {"date": "2027-02-20", "kind": "workday", "name": "春节调休（测试数据，非官方）"} in days


async def test_a_deadline_crossing_into_a_loaded_2027_counts_its_holidays(
    client, monkeypatch, admin, head, inspector, partner
) -> None:
    await load(client, admin)
    pin(monkeypatch, dt.date(2026, 12, 28))
    _, notified = await notify(client, head, inspector, partner, statement_days=5)
    assert notified["http_status"] == 201, notified
    # 12-29, 12-30, 12-31, then 1-1 … 1-3 off (the fixture's 元旦), 1-4, 1-5.
    assert notified["state"]["notice"]["statement_due"] == "2027-01-05"


async def test_a_deadline_crossing_into_an_unloaded_year_is_refused_naming_it(
    client, monkeypatch, admin, head, inspector, partner
) -> None:
    await load(client, admin)
    last = max((await client.get("/calendar", headers=head.headers)).json()["years"])
    pin(monkeypatch, dt.date(last, 12, 27))
    _, refused = await notify(client, head, inspector, partner)
    assert (refused["http_status"], refused["code"]) == (409, "calendar-unavailable")
    assert f"{last + 1} 年的节假日安排尚未导入" in refused["detail"]
    assert f"国务院办公厅关于{last + 1}年部分节假日安排的通知" in refused["detail"]


async def test_a_correction_recomputes_open_deadlines_and_reports_which_moved(
    client, pool, monkeypatch, admin, head, inspector, partner
) -> None:
    await load(client, admin)
    pin(monkeypatch, dt.date(2026, 12, 28))
    case_id, notified = await notify(client, head, inspector, partner, statement_days=5)
    corrected = FIXTURE.read_text(encoding="utf-8") + "2027-01-04,holiday,元旦（测试数据，更正）\n"
    result = await load(client, admin, corrected, note="更正：1月4日放假（测试）")
    [moved] = [c for c in result["changed"] if c["case_id"] == case_id]
    assert (moved["rule"], moved["due_before"], moved["due_after"]) == ("statement", "2027-01-05", "2027-01-06")
    assert moved["filing_no"] == notified["state"]["filing_document_no"] and moved["filing_no"].endswith("号")
    assert result["cases_recomputed"] >= 1
    detail = await pool.fetchval(
        "SELECT detail FROM audit_log WHERE action = 'calendar.import' AND entity_id = $1",
        str(result["version"]["version"]),
    )
    assert detail["note"] == "更正：1月4日放假（测试）" and detail["deadlines_changed"] >= 1


async def test_loading_next_year_computes_what_was_incalculable(client, monkeypatch, admin, head, inspector, partner):
    last = max((await client.get("/calendar", headers=head.headers)).json()["years"])
    pin(monkeypatch, dt.date(last, 12, 27))
    case_id = await open_case(client, inspector, partner)
    keep = {"action": "apply_measure", "measure_id": str(uuid7()), "kind": "preservation", "objects": "账簿"}
    deadlines = (await take(client, inspector, case_id, keep))["deadlines"]
    [held] = [d for d in deadlines if d["rule"] == "preservation_7"]
    assert (held["status"], held["due_on"]) == ("incalculable", None) and f"{last + 1} 年" in held["note"]
    listed = (await client.get("/deadlines", headers=head.headers)).json()
    assert any(d["case_id"] == case_id and d["status"] == "incalculable" for d in listed)

    notice = f"date,kind,name\n{last + 1}-01-01,holiday,元旦（测试数据）\n"
    result = await load(client, admin, notice, year=last + 1)
    [moved] = [c for c in result["changed"] if c["case_id"] == case_id]
    assert (moved["status_before"], moved["status_after"], moved["due_before"]) == ("incalculable", "running", None)
    assert moved["due_after"] > f"{last + 1}-01-01"


async def test_supervisors_and_admins_are_warned_from_1_november_when_next_year_is_missing(
    client, monkeypatch, admin, head, inspector
) -> None:
    pin(monkeypatch, dt.date(2090, 10, 31))
    october = (await client.get("/calendar", headers=head.headers)).json()
    assert october["missing"] == [2090]
    pin(monkeypatch, dt.date(2090, 11, 1))
    for caller in (head, admin):
        status = (await client.get("/calendar", headers=caller.headers)).json()
        assert status["missing"] == [2090, 2091]
        assert "2090、2091" in status["warning"] and "国务院办公厅" in status["warning"]
    assert (await client.get("/calendar", headers=inspector.headers)).status_code == 403


async def test_a_bad_file_stores_nothing_and_only_admins_load(client, pool, admin, head) -> None:
    before = await pool.fetchval("SELECT count(*) FROM calendar_versions")
    bad = TEST_NOTICE | {"text": "date,kind,name\n2027-02-30,holiday,春节\n"}
    answer = await client.post("/calendar/versions", json=bad, headers=admin.headers)
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "line 2.date"
    assert (await client.post("/calendar/versions", json=bad, headers=head.headers)).status_code == 403
    assert await pool.fetchval("SELECT count(*) FROM calendar_versions") == before


async def test_the_command_line_loads_a_notice_and_the_api_counts_on_it_at_once(
    settings, client, tmp_path, head
) -> None:
    good = tmp_path / "2027.csv"
    good.write_text(FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
    done = await run_enforce(settings, "calendar", "import", str(good), "--year", "2027", "--document-no", "CLI-TEST")
    assert done.exit_code == 0, done.output
    assert "recomputed the deadlines of" in done.output
    latest = (await client.get("/calendar", headers=head.headers)).json()["versions"][0]
    assert latest["document_no"] == "CLI-TEST" and 2027 in latest["years"]
    bad = tmp_path / "bad.csv"
    bad.write_text("date,kind,name\n2027-13-01,holiday,元旦\n", encoding="utf-8")
    refused = await run_enforce(settings, "calendar", "import", str(bad), "--year", "2027")
    assert refused.exit_code == 1 and "line 2.date:" in refused.output
    status = await run_enforce(settings, "calendar", "status")
    assert status.exit_code == 0 and "years loaded: 2004" in status.output
