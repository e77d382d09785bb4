"""Importing, publishing and reading discretion benchmark versions (裁量基准)."""

from __future__ import annotations

import hashlib
import uuid

import asyncpg
import msgspec

from api.audit import trail
from api.audit.trail import Actor
from api.auth.principal import Principal
from api.discretion.csv_import import parse
from mobile_contract.discretion import Benchmark, BenchmarkEntry, BenchmarkImport, BenchmarkSummary
from mobile_contract.problems import Conflict, NotFound
from storage import audit, discretion
from storage.db import Connection


def _summary(row: asyncpg.Record) -> BenchmarkSummary:
    return msgspec.convert(dict(row), BenchmarkSummary)


async def _benchmark(conn: Connection, row: asyncpg.Record) -> Benchmark:
    rows = await discretion.entries(conn, table_id=row["id"])
    return Benchmark(summary=_summary(row), entries=[msgspec.convert(dict(r), BenchmarkEntry) for r in rows])


async def import_csv(
    conn: Connection, actor: Principal | Actor, department_id: uuid.UUID, data: BenchmarkImport
) -> BenchmarkSummary:
    """Store the CSV as the department's next draft version; every bad row is named in one 422."""
    entries = parse(data.csv)
    id = uuid.uuid4()
    sha = hashlib.sha256(data.csv.encode()).hexdigest()
    imported_by = actor.user_id
    version = await discretion.create_draft(
        conn,
        id=id,
        department_id=department_id,
        title=data.title,
        source_sha256=sha,
        imported_by=imported_by,
        entries=[msgspec.structs.asdict(e) for e in entries],
    )
    detail = {"version": version, "entries": len(entries)}
    await audit.append(conn, _audit(actor, department_id, "discretion.import", id, sha, detail))
    row = await discretion.get_table(conn, id=id, department_id=None)
    assert row is not None
    return _summary(row)


async def publish(
    conn: Connection, actor: Principal | Actor, id: uuid.UUID, department_scope: uuid.UUID | None
) -> BenchmarkSummary:
    row = await discretion.get_table(conn, id=id, department_id=department_scope)
    if row is None:
        raise NotFound("裁量基准版本不存在或不属于本单位", f"benchmark {id} not found")
    if not await discretion.publish(conn, id=id, published_by=actor.user_id):
        raise Conflict("该版本已发布，已发布的裁量基准不能修改", "already published", code="already-published")
    detail = {"version": row["version"]}
    await audit.append(
        conn, _audit(actor, row["department_id"], "discretion.publish", id, row["source_sha256"], detail)
    )
    published = await discretion.get_table(conn, id=id, department_id=None)
    assert published is not None
    return _summary(published)


async def read(conn: Connection, principal: Principal, id: uuid.UUID) -> Benchmark:
    row = await discretion.get_table(conn, id=id, department_id=principal.department_scope)
    if row is None:
        raise NotFound("裁量基准版本不存在或不属于本单位", f"benchmark {id} not found")
    return await _benchmark(conn, row)


async def current(conn: Connection, department_id: uuid.UUID) -> Benchmark | None:
    """The department's binding (latest published) version, or None when it has none."""
    row = await discretion.current_table(conn, department_id=department_id)
    return None if row is None else await _benchmark(conn, row)


async def list_versions(conn: Connection, principal: Principal) -> list[BenchmarkSummary]:
    return [_summary(r) for r in await discretion.list_tables(conn, department_id=principal.department_scope)]


def _audit(
    actor: Principal | Actor, department_id: uuid.UUID, action: str, id: uuid.UUID, sha: str, detail: dict
) -> audit.AuditEntry:
    return trail.entry(
        actor,
        action=action,
        entity_type="discretion_table",
        entity_id=str(id),
        department_id=department_id,
        after_hash=sha,
        detail=detail,
    )
