"""Many rows in one statement: a column per array through ``unnest``, or sent once when every row has the same.

asyncpg encodes array elements one at a time, with Python-level type checks on each. A push of
500 records by one inspector repeats the department, the officer, the device, the action and the
clock reading in every row; sending such a column once as a scalar takes most of that encoding off
the intake path (and PostgreSQL parses less). The first column (the key) always travels as an array,
so the row count comes from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# unnest cannot take arrays of arrays, and json arrays gain nothing: these travel as text and are cast back.
_AS_TEXT = ("uuid[]", "jsonb", "json")


def rows_select(
    columns: Sequence[tuple[str, str]], values: Sequence[list[Any]], *, first: int = 1
) -> tuple[str, list[Any]]:
    """``SELECT`` of one row per element of ``values[0]``, named as ``columns``; returns (SQL, parameters).

    ``columns`` are (name, PostgreSQL type) in code, never from a client; ``values`` holds one
    list per column, all of the same length. Parameters are numbered from ``$first``, so the
    SELECT can sit in a statement that has parameters of its own before it.
    """
    params: list[Any] = []
    arrays: list[str] = []
    unnested: list[str] = []
    scalars: dict[str, str] = {}
    for index, ((name, pg), column) in enumerate(zip(columns, values, strict=True)):
        wire = "text" if pg in _AS_TEXT else pg
        if index and _same_throughout(column):
            params.append(column[0])
            scalars[name] = f"${first + len(params) - 1}::{wire}" + ("" if wire == pg else f"::{pg}")
        else:
            params.append(column)
            arrays.append(f"${first + len(params) - 1}::{wire}[]")
            unnested.append(name)
    casts = {name: f"u.{name}::{pg}" for name, pg in columns if name in unnested}
    select = ", ".join(f"{scalars.get(name) or casts[name]} AS {name}" for name, _ in columns)
    return f"SELECT {select} FROM unnest({', '.join(arrays)}) AS u({', '.join(unnested)})", params  # noqa: S608


def _same_throughout(column: list[Any]) -> bool:
    # Equality (list.count tries identity first, so repeats of one object cost little); comparing the last
    # element first rejects most varying columns at once. Equal values are the same to PostgreSQL, with one
    # harmless exception: 0.0 and -0.0 (a coordinate on the equator or the meridian) may travel as either.
    return column[-1] == column[0] and column.count(column[0]) == len(column)
