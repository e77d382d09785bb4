"""Rows sent through ``storage.bulk.rows_select`` arrive in PostgreSQL exactly as given, folded or not."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import bulk

COLUMNS = (("id", "int8"), ("who", "uuid"), ("note", "text"), ("at", "timestamptz"), ("ids", "uuid[]"),
           ("detail", "json"))  # fmt: skip
WHO = [uuid.UUID(int=n) for n in range(3)]
AT = dt.datetime(2026, 11, 22, 8, tzinfo=dt.UTC)


def _value(name: str, data: st.DataObject) -> object:
    """A value for column ``name``, from a small pool so that whole columns often repeat one value."""
    match name:
        case "who":
            return data.draw(st.sampled_from([*WHO, None]))
        case "note":
            return data.draw(st.sampled_from(["", "现场检查", "a'b", None]))
        case "at":
            return AT + dt.timedelta(seconds=data.draw(st.integers(0, 2)))
        case "ids":
            return "{" + ",".join(str(w) for w in data.draw(st.lists(st.sampled_from(WHO), max_size=2))) + "}"
        case _:
            return data.draw(st.sampled_from(['{"n": 1}', "{}", '{"b":2,"a":1}']))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
async def test_rows_arrive_as_sent(pool: asyncpg.Pool, data: st.DataObject) -> None:
    count = data.draw(st.integers(1, 6))
    # a column is either one value throughout (sent once) or drawn per row (sent as an array)
    repeated = {name: data.draw(st.booleans()) for name, _ in COLUMNS[1:]}
    first = {name: _value(name, data) for name, _ in COLUMNS[1:]}
    rows = [
        {"id": n, **{name: first[name] if repeated[name] else _value(name, data) for name, _ in COLUMNS[1:]}}
        for n in range(count)
    ]
    select, params = bulk.rows_select(COLUMNS, [[row[name] for row in rows] for name, _ in COLUMNS])
    async with pool.acquire() as conn:
        stored = await conn.fetch(
            f"SELECT id, who, note, at, ids::text AS ids, detail::text AS detail FROM ({select}) s ORDER BY id", *params
        )
    assert [dict(r) for r in stored] == rows


def test_a_repeated_column_travels_once_and_the_key_always_as_an_array() -> None:
    select, params = bulk.rows_select((("id", "int8"), ("who", "uuid")), [[1, 2, 3], [WHO[0]] * 3])
    assert params == [[1, 2, 3], WHO[0]]
    assert "unnest($1::int8[])" in select
    assert "$2::uuid AS who" in select
