"""SQL of the case list (案件列表): search a department's cases, newest first, keyset-paged.

A case's stage lives in ``case_workflow`` (no row yet: registered); its numbers in ``case_documents``
and its officers on its records. Text conditions match as plain substrings (``strpos``), never as
patterns, so a ``%`` or ``_`` typed by a user means itself.

The query is composed of the conditions actually given (each a fixed fragment with its parameters),
not one statement with ``$n IS NULL OR …`` for every condition: PostgreSQL plans a prepared statement
once for all values, and such a plan can use no index for a condition, so a stage or number matching
nothing walked the whole department (1–4 s with 50 000 cases, ``bench/case_list.py``). Composed, a
stage is found through ``case_workflow_stage``, a number through the department's documents, an
officer through ``records_participants`` (GIN), and the order and scope through
``cases_department_registered`` (migration 0066), a party through ``cases_party_search`` (0180: the
characters and character pairs of its name, its USCC and ID number whole).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg

from storage.db import Connection

REGISTERED = "registered"


class _Where:
    """Conditions joined by AND, each with its own numbered parameters."""

    def __init__(self) -> None:
        self.conditions: list[str] = []
        self.args: list[Any] = []

    def arg(self, value: Any) -> str:
        self.args.append(value)
        return f"${len(self.args)}"

    def sql(self) -> str:
        return " AND ".join(self.conditions) or "true"


async def search_page(
    conn: Connection,
    *,
    department_id: uuid.UUID | None,
    number: str,
    party: str,
    stage: str | None,
    officer_id: uuid.UUID | None,
    registered_from: dt.datetime | None,
    registered_before: dt.datetime | None,
    after: tuple[dt.datetime, uuid.UUID] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """One page of cases matching every condition given (empty text and None match anything)."""
    where = _Where()
    _scope_and_stage(where, department_id, stage)
    _text(where, department_id, number, party)
    _officer_and_dates(where, officer_id, registered_from, registered_before, after)
    return await conn.fetch(  # the conditions are fixed fragments; every value is a $n parameter
        "SELECT c.id, c.department_id, c.content, c.created_at, c.created_by,"  # noqa: S608
        f" coalesce(w.stage, '{REGISTERED}') AS stage, coalesce(w.state ->> 'filing_document_no', '') AS filing_no"
        f" FROM cases c LEFT JOIN case_workflow w ON w.case_id = c.id WHERE {where.sql()}"
        f" ORDER BY c.created_at DESC, c.id DESC LIMIT {where.arg(limit)}",
        *where.args,
    )


def _scope_and_stage(where: _Where, department_id: uuid.UUID | None, stage: str | None) -> None:
    if department_id is not None:
        where.conditions.append(f"c.department_id = {where.arg(department_id)}")
    if stage == REGISTERED:
        where.conditions.append("w.case_id IS NULL")  # no step taken yet
    elif stage is not None:
        same_department = f" AND w.department_id = {where.arg(department_id)}" if department_id else ""
        where.conditions.append(f"w.stage = {where.arg(stage)}{same_department}")


def _text(where: _Where, department_id: uuid.UUID | None, number: str, party: str) -> None:
    if number:  # any numbered document of the case: the filing number is its filing document's
        in_department = f" AND d.department_id = {where.arg(department_id)}" if department_id else ""
        where.conditions.append(
            # ARRAY(…): the matching documents found once, not looked up case by case along the list
            f"c.id = ANY (ARRAY(SELECT d.case_id FROM case_documents d WHERE strpos(d.number, {where.arg(number)}) > 0"  # noqa: S608
            f"{in_department}))"
        )
    if party:  # the index's characters and pairs narrow the cases down; strpos decides (migration 0180)
        name, terms = where.arg(party), "party_search_terms(c.content -> 'party')"
        part_of_name = f"strpos(lower(c.content -> 'party' ->> 'name'), lower({name})) > 0"
        where.conditions.append(
            f"(({terms} @> party_name_grams({name}) AND {part_of_name}) OR {terms} && ARRAY['=' || upper({name})])"
        )


def _officer_and_dates(
    where: _Where,
    officer_id: uuid.UUID | None,
    registered_from: dt.datetime | None,
    registered_before: dt.datetime | None,
    after: tuple[dt.datetime, uuid.UUID] | None,
) -> None:
    if officer_id is not None:  # who registered the case, or anyone on one of its records
        officer = where.arg(officer_id)
        where.conditions.append(
            f"(c.created_by = {officer}"  # noqa: S608
            f" OR c.id IN (SELECT r.case_id FROM records r WHERE r.participant_ids @> ARRAY[{officer}::uuid]))"
        )
    if registered_from is not None:
        where.conditions.append(f"c.created_at >= {where.arg(registered_from)}")
    if registered_before is not None:
        where.conditions.append(f"c.created_at < {where.arg(registered_before)}")
    if after is not None:
        where.conditions.append(f"(c.created_at, c.id) < ({where.arg(after[0])}, {where.arg(after[1])}::uuid)")


async def officer_lists(conn: Connection, *, case_ids: Sequence[uuid.UUID]) -> list[Any]:
    """(case id, officer list) of every record of these cases, oldest record first."""
    return await conn.fetch(
        "SELECT case_id, content -> 'officers' AS officers FROM records"
        " WHERE case_id = ANY ($1::uuid[]) ORDER BY created_at, id",
        list(case_ids),
    )


async def add_participants(conn: Connection, *, pairs: Sequence[tuple[uuid.UUID, uuid.UUID]]) -> list[asyncpg.Record]:
    """Make each user of the (case id, user id) pairs a participant of the case (办案人员).

    A case that gains someone is touched (its txid), so their next pull brings it. The cases are locked
    in id order, so two pushes naming officers on the same cases cannot deadlock. Returns (id, users)
    of the cases that gained participants, with those they gained.
    """
    return await conn.fetch(
        "WITH named AS (SELECT DISTINCT case_id, user_id FROM unnest($1::uuid[], $2::uuid[]) AS n (case_id, user_id)),"
        " gained AS (SELECT c.id, array_agg(n.user_id ORDER BY n.user_id) AS users FROM cases c"
        "  JOIN named n ON n.case_id = c.id WHERE NOT n.user_id = ANY (c.participant_ids) GROUP BY c.id),"
        " locked AS MATERIALIZED (SELECT id FROM cases WHERE id IN (SELECT id FROM gained) ORDER BY id FOR UPDATE)"
        " UPDATE cases c SET txid = pg_current_xact_id(),"
        "  participant_ids = ARRAY(SELECT DISTINCT u FROM unnest(c.participant_ids || g.users) AS u ORDER BY u)"
        " FROM gained g WHERE c.id = g.id AND c.id IN (SELECT id FROM locked) RETURNING c.id, g.users",
        [case_id for case_id, _ in pairs],
        [user_id for _, user_id in pairs],
    )
