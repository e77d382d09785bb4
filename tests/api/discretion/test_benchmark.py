"""The discretion benchmark: CSV import with line-numbered errors, publication, and its effect on steps."""

import asyncpg
import pytest

from tests.api.cases.support import open_case, penalty, take, to_notified, waive

CSV = """violation_code,violation,legal_basis,circumstance,penalty_kinds,fine_min_yuan,fine_max_yuan,note
KC-001,越界开采,《矿产资源法》第四十条,minor,warning;fine,0,10000,
KC-001,越界开采,《矿产资源法》第四十条,一般,fine,10000,100000,按开采量计
KC-001,越界开采,《矿产资源法》第四十条,serious,fine;confiscation,100000,500000.50,
"""


async def publish(client, head, csv: str = CSV) -> dict:
    draft = await client.post("/discretion/versions", json={"title": "2026 版", "csv": csv}, headers=head.headers)
    assert draft.status_code == 201, draft.text
    answer = await client.post(f"/discretion/versions/{draft.json()['id']}/publish", headers=head.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_import_publish_and_read_the_binding_version(client, head, inspector) -> None:
    published = await publish(client, head)
    assert (published["version"], published["entries"]) == (1, 3)
    current = (await client.get("/discretion/current", headers=inspector.headers)).json()
    serious = next(e for e in current["entries"] if e["circumstance"] == "serious")
    assert (serious["fine_min_fen"], serious["fine_max_fen"], serious["kinds"]) == (
        10_000_000, 50_000_050, ["confiscation", "fine"],
    )  # fmt: skip
    again = await client.post(f"/discretion/versions/{published['id']}/publish", headers=head.headers)
    assert again.status_code == 409 and again.json()["code"] == "already-published"
    second = await publish(client, head)
    assert second["version"] == 2


async def test_bad_rows_are_named_by_line_and_column(client, head) -> None:
    bad = CSV + "KC-002,,x,awful,fine;bribe,5,1.234,\nKC-001,越界开采,x,minor,fine,0,1,\n"
    answer = await client.post("/discretion/versions", json={"title": "坏", "csv": bad}, headers=head.headers)
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.json()["errors"]}
    assert fields == {
        "line 5.violation", "line 5.circumstance", "line 5.penalty_kinds", "line 5.fine_max_yuan", "line 6",
    }  # fmt: skip


@pytest.mark.parametrize("text", ["\r0", CSV.replace("\n", "\r"), 'a,"b\n' + "x" * 200_000 + '"\n'])
async def test_line_ends_and_oversized_fields_are_named_not_a_500(client, head, text: str) -> None:
    """Found by the contract fuzzing's brief: a bare CR raised csv.Error (a 500); CR line ends are CSV's own."""
    answer = await client.post("/discretion/versions", json={"title": "换行", "csv": text}, headers=head.headers)
    assert answer.status_code in (201, 422), answer.text
    assert answer.status_code == 201 or answer.json()["errors"][0]["field"].startswith(("line", "header", "csv"))


async def test_published_rows_cannot_be_changed_in_the_database(client, pool, head) -> None:
    published = await publish(client, head)
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await pool.execute("UPDATE discretion_entries SET fine_max_fen = 1 WHERE table_id = $1", published["id"])


async def test_penalty_outside_the_range_needs_a_justification_and_review(client, head, inspector, partner) -> None:
    await publish(client, head)
    case_id = await open_case(client, inspector, partner)
    await take(client, head, case_id, {"action": "file"})
    notify = {"action": "notify", "penalty": penalty(200_000), "hearing_rights": True}
    refused = await take(client, inspector, case_id, notify, status=409)
    assert refused["code"] == "discretion-out-of-range" and "10,000.00" in refused["detail"]
    unknown = {"action": "notify", "penalty": penalty(violation_code="KC-999"), "hearing_rights": False}
    assert (await take(client, inspector, case_id, unknown, status=409))["code"] == "discretion-unknown-violation"
    justified = notify | {"penalty": penalty(200_000, justification="开采量特别巨大，破坏生态")}
    state = (await take(client, inspector, case_id, justified))["state"]
    assert list(state["review"]["grounds"]) == ["discretion_deviation"]
    await waive(client, inspector, case_id, hearing=True)
    unexplained = await take(client, head, case_id, {"action": "decide", "penalty": penalty(200_000)}, status=409)
    assert [r["code"] for r in unexplained["extra"]["refusals"]] == ["discretion-out-of-range", "legal-review-required"]
    blocked = await take(client, head, case_id, {"action": "decide", "penalty": justified["penalty"]}, status=409)
    assert blocked["code"] == "legal-review-required"


async def test_penalty_inside_the_range_passes(client, head, inspector, partner) -> None:
    await publish(client, head)
    case_id = await open_case(client, inspector, partner)
    await to_notified(client, head, inspector, case_id)
    await waive(client, inspector, case_id)
    decided = await take(client, head, case_id, {"action": "decide", "penalty": penalty(50_000)})
    assert decided["state"]["stage"] == "decided"
