"""SQL for 双随机、一公开: the inspector register, conflicts, plans, draws and the yearly cap.

The target register itself (检查对象名录库) is the subjects domain's (``storage.subjects``).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from typing import Any

import asyncpg

from mobile_contract.draws import PlanItem
from storage import rows
from storage.db import Connection

DRAW_LOCK_KEY = 0x64726177  # "draw": draws run one at a time, so two cannot both fill a subject's cap
PLAN_COLUMNS = (
    "p.id, p.department_id, p.title, p.scope_region_prefix, p.sampling_permille, p.period_start, p.period_end,"
    " p.inspectors_per_target, p.yearly_cap, p.required_skill, p.created_at, d.id AS draw_id"
)


async def enrol_inspector(
    conn: Connection, *, user_id: uuid.UUID, department_id: uuid.UUID, skills: Sequence[str], active: bool
) -> None:
    await conn.execute(
        "INSERT INTO draw_inspectors (user_id, department_id, skills, active) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (user_id) DO UPDATE SET department_id = $2, skills = $3, active = $4, updated_at = now()",
        user_id,
        department_id,
        sorted(set(skills)),
        active,
    )


async def list_inspectors(
    conn: Connection, *, department_ids: Sequence[uuid.UUID], required_skill: str | None, active_only: bool
) -> list[asyncpg.Record]:
    """Registered inspectors of the departments, in canonical (department, user id) order.

    Drawable means active in the register and as a user, with the skill when one is required.
    """
    return await conn.fetch(
        "SELECT i.user_id, i.department_id, i.skills, i.active, u.certificate_no, u.display_name"
        " FROM draw_inspectors i JOIN users u ON u.id = i.user_id"
        " WHERE i.department_id = ANY($1::uuid[]) AND u.department_id = i.department_id AND u.role = 'inspector'"
        " AND (NOT $3 OR (i.active AND u.active AND ($2::text IS NULL OR $2 = ANY(i.skills))))"
        " ORDER BY i.department_id::text, i.user_id::text",
        list(department_ids),
        required_skill,
        active_only,
    )


async def declare_conflict(
    conn: Connection, *, inspector_id: uuid.UUID, uscc: str, relationship: str, declared_by: uuid.UUID
) -> None:
    await conn.execute(
        "INSERT INTO inspector_conflicts (inspector_id, uscc, relationship, declared_by) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (inspector_id, uscc) DO UPDATE SET relationship = $3, declared_by = $4, declared_at = now()",
        inspector_id,
        uscc,
        relationship,
        declared_by,
    )


async def conflicts(conn: Connection, *, usccs: Sequence[str]) -> list[asyncpg.Record]:
    """(inspector_id, uscc, reason): declared relationships, and whoever inspected the subject last time.

    "Last time" is the latest visit to the subject: an inspection record naming it (its officers)
    or an earlier draw's team for it, whichever is later.
    """
    return await conn.fetch(
        """
        WITH visits AS (
            SELECT r.content->'party'->>'uscc' AS uscc, r.occurred_at AS at,
                   array(SELECT (o->>'user_id')::uuid FROM jsonb_array_elements(r.content->'officers') o) AS team
              FROM records r
             WHERE r.kind = 'inspection' AND r.content->'party'->>'uscc' = ANY($1::text[])
            UNION ALL
            SELECT uscc, drawn_at, array_agg(inspector_id)
              FROM draw_assignments WHERE uscc = ANY($1::text[]) GROUP BY draw_id, uscc, drawn_at
        ), last_visit AS (
            SELECT DISTINCT ON (uscc) uscc, team FROM visits ORDER BY uscc, at DESC
        )
        SELECT unnest(team) AS inspector_id, uscc, 'last_inspection' AS reason FROM last_visit
        UNION
        SELECT inspector_id, uscc, 'declared' FROM inspector_conflicts WHERE uscc = ANY($1::text[])
        ORDER BY uscc, inspector_id, reason
        """,
        list(usccs),
    )


async def create_plan(conn: Connection, *, row: dict[str, Any], items: Sequence[PlanItem]) -> bool:
    """Insert the plan and its items unless the id exists; True when inserted now."""
    inserted = await rows.insert(conn, table="draw_plans", row=row, on_conflict="ON CONFLICT (id) DO NOTHING")
    if inserted:
        await conn.executemany(
            "INSERT INTO draw_plan_items (plan_id, department_id, item_code, position) VALUES ($1, $2, $3, $4)",
            [(row["id"], item.department_id, item.item_code, n) for n, item in enumerate(items)],
        )
    return inserted


async def existing_departments(conn: Connection, *, ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    rows = await conn.fetch("SELECT id FROM departments WHERE id = ANY($1::uuid[])", list(ids))
    return {r["id"] for r in rows}


async def get_plan(conn: Connection, *, id: uuid.UUID) -> tuple[asyncpg.Record, list[asyncpg.Record]] | None:
    """The plan and its items (in the order they were given), or None."""
    plan = await conn.fetchrow(
        f"SELECT {PLAN_COLUMNS} FROM draw_plans p LEFT JOIN draws d ON d.plan_id = p.id WHERE p.id = $1",  # noqa: S608
        id,
    )
    if plan is None:
        return None
    items = await conn.fetch(
        "SELECT department_id, item_code FROM draw_plan_items WHERE plan_id = $1 ORDER BY position", id
    )
    return plan, items


async def plan_summaries(conn: Connection, *, department_id: uuid.UUID | None, limit: int) -> list[asyncpg.Record]:
    """The department's plans, newest first, each with its draw, the subjects drawn and those inspected."""
    return await conn.fetch(
        "SELECT p.id, p.title, p.period_start, p.period_end, p.sampling_permille, p.created_at,"
        " d.id AS draw_id, d.drawn_at,"
        " (SELECT count(*) FROM draw_visits v WHERE v.draw_id = d.id) AS targets,"
        " (SELECT count(DISTINCT a.uscc) FROM draw_assignments a JOIN records r ON r.kind = 'inspection'"
        "  AND r.content->>'task_id' = a.task_id::text WHERE a.draw_id = d.id) AS inspected"
        " FROM draw_plans p LEFT JOIN draws d ON d.plan_id = p.id"
        " WHERE ($1::uuid IS NULL OR p.department_id = $1) ORDER BY p.created_at DESC, p.id DESC LIMIT $2",
        department_id,
        limit,
    )


async def lock_draws(conn: Connection) -> None:
    await conn.execute("SELECT pg_advisory_xact_lock($1)", DRAW_LOCK_KEY)


async def visits_in_year(conn: Connection, *, usccs: Sequence[str], year: int) -> dict[str, int]:
    """How many drawn visits each subject has in ``year`` (what the yearly cap counts)."""
    rows = await conn.fetch(
        "SELECT uscc, count(*) AS n FROM draw_visits WHERE uscc = ANY($1::text[]) AND year = $2 GROUP BY uscc",
        list(usccs),
        year,
    )
    return {r["uscc"]: r["n"] for r in rows}


async def insert_draw(
    conn: Connection,
    *,
    id: uuid.UUID,
    plan_id: uuid.UUID,
    department_id: uuid.UUID,
    document: bytes,
    sha256: str,
    drawn_by: uuid.UUID,
    year: int,
    usccs: Sequence[str],
) -> None:
    await conn.execute(
        "INSERT INTO draws (id, plan_id, department_id, document, document_sha256, drawn_by)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        id,
        plan_id,
        department_id,
        document.decode(),
        sha256,
        drawn_by,
    )
    await conn.executemany(
        "INSERT INTO draw_visits (draw_id, uscc, year) VALUES ($1, $2, $3)", [(id, u, year) for u in usccs]
    )


async def insert_assignments(conn: Connection, *, draw_id: uuid.UUID, assignments: Sequence[tuple[Any, ...]]) -> None:
    """Rows of (uscc, department_id, inspector_id, task_id)."""
    await conn.executemany(
        "INSERT INTO draw_assignments (draw_id, uscc, department_id, inspector_id, task_id)"
        " VALUES ($1, $2, $3, $4, $5)",
        [(draw_id, *row) for row in assignments],
    )


async def get_draw(conn: Connection, *, id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT id, plan_id, department_id, document FROM draws WHERE id = $1", id)


async def visit_results(conn: Connection, *, draw_id: uuid.UUID) -> list[asyncpg.Record]:
    """Per drawn subject: the inspection records made for the draw's tasks (time and result)."""
    return await conn.fetch(
        "SELECT DISTINCT a.uscc, r.id, r.occurred_at, r.content->>'result' AS result"
        " FROM draw_assignments a JOIN records r ON r.kind = 'inspection'"
        " AND r.content->>'task_id' = a.task_id::text WHERE a.draw_id = $1 ORDER BY a.uscc, r.occurred_at, r.id",
        draw_id,
    )
