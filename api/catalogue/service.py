"""Rules for the supervision item catalogue (监管事项清单): versioned items, import and export.

An item belongs to the department that entered it; its code is unique across
departments. Every change keeps the previous version with who made it
(documents table ``catalogue_item_versions``). An import is all or nothing:
any bad row refuses the whole table, listing every bad row; rows whose
content is unchanged keep their version.
"""

from __future__ import annotations

import uuid

import asyncpg
import msgspec

from api import idempotency
from api.audit import trail
from api.auth.principal import Principal
from api.catalogue import csv_table, seed_table
from api.idempotency import Outcome
from api.subjects.service import new_id
from mobile_contract.catalogue import (
    CatalogueImport,
    CatalogueItemContent,
    CatalogueItemCreate,
    CatalogueItemRead,
    CatalogueItemUpdate,
    CatalogueItemVersion,
    CataloguePage,
    ImportedItem,
    ImportFormat,
    ImportOutcome,
    ImportResult,
)
from mobile_contract.problems import Conflict, InvalidInput, NotFound
from storage import audit, catalogue, versioned
from storage.catalogue import CATALOGUE
from storage.db import Connection

ENTITY = "监管事项"
CATALOGUE_ITEM = "catalogue_item"  # the audit trail's entity type


def item_read(row: asyncpg.Record) -> CatalogueItemRead:
    return msgspec.convert(dict(row) | {"updated_by": row["version_by"]}, CatalogueItemRead)


async def list_page(
    conn: Connection, principal: Principal, *, search: str | None, cursor: str | None, limit: int
) -> CataloguePage:
    """The department's catalogue (监管事项清单) in code order, a page after the code ``cursor``."""
    found = await catalogue.list_for_department(
        conn, department_id=principal.department_scope, search=search, after_code=cursor, limit=limit
    )
    items = [item_read(r) for r in found]
    return CataloguePage(items=items, next_cursor=items[-1].code if len(items) == limit else None)


async def create_item(conn: Connection, principal: Principal, data: CatalogueItemCreate) -> CatalogueItemRead:
    """新增监管事项; the code must be free."""
    result = await _apply(conn, principal, [(data.code, data.content)], allow_change=False)
    if result[0].outcome is not ImportOutcome.CREATED:
        raise Conflict(f"事项编码 {data.code} 已存在", "item code exists", code="item-code-taken")
    return await read_item(conn, principal, code=data.code)


async def update_item(
    conn: Connection, principal: Principal, id: uuid.UUID, data: CatalogueItemUpdate
) -> CatalogueItemRead:
    """修改监管事项, based on the version the caller read; the old version is kept."""
    current = await idempotency.lock_for_edit(conn, principal, table=CATALOGUE, entity=ENTITY, id=id)
    new_sha = idempotency.content_hash(data.content)
    outcome = await idempotency.edit_outcome(
        conn, current, principal, table=CATALOGUE, base_version=data.base_version, new_sha256=new_sha, entity=ENTITY
    )
    if outcome is not Outcome.REPLAYED:
        await _new_version(conn, principal, current, data.content)
        await audit.append(
            conn,
            trail.change(
                principal, "catalogue.update", CATALOGUE_ITEM, id, before=current["content_sha256"], after=new_sha
            ),
        )
    return await read_item(conn, principal, code=current["code"])


async def read_item(conn: Connection, principal: Principal, *, code: str) -> CatalogueItemRead:
    found = (await catalogue.fetch_by_codes(conn, codes=[code])).get(code)
    if found is None or not principal.can_see_department(found["department_id"]):
        raise NotFound(f"本单位清单中没有编码为 {code} 的监管事项", f"item {code} not found")
    return item_read(found)


async def read_by_id(conn: Connection, principal: Principal, id: uuid.UUID) -> CatalogueItemRead:
    found = await versioned.fetch_current(conn, table=CATALOGUE, ids=[id], department_id=principal.department_scope)
    if id not in found:
        raise idempotency.not_found(ENTITY, id)
    return item_read(found[id])


async def versions(conn: Connection, principal: Principal, id: uuid.UUID) -> list[CatalogueItemVersion]:
    """Every version, oldest first, the current one last."""
    current = await read_by_id(conn, principal, id)
    rows = await versioned.list_versions(conn, table=CATALOGUE, id=id)
    older = [msgspec.convert(dict(r), CatalogueItemVersion) for r in rows]
    latest = CatalogueItemVersion(
        version=current.version,
        content=current.content,
        content_sha256=current.content_sha256,
        changed_by=current.updated_by,
        changed_at=current.updated_at,
    )
    return [*older, latest]


async def import_table(conn: Connection, principal: Principal, data: CatalogueImport) -> ImportResult:
    """导入监管事项清单 (seed table or CSV) into the caller's department's catalogue."""
    items, notes = _parse(data)
    codes = [code for code, _ in items]
    if duplicates := sorted({c for c in codes if codes.count(c) > 1}):
        raise InvalidInput("表中事项编码重复", "duplicate codes in the table", extra={"codes": duplicates})
    imported = await _apply(conn, principal, items, allow_change=True)
    count = {o: sum(1 for i in imported if i.outcome is o) for o in ImportOutcome}
    return ImportResult(
        created=count[ImportOutcome.CREATED],
        updated=count[ImportOutcome.UPDATED],
        unchanged=count[ImportOutcome.UNCHANGED],
        items=imported,
        notes=notes,
    )


def _parse(data: CatalogueImport) -> tuple[list[tuple[str, CatalogueItemContent]], list[str]]:
    try:
        if data.format is ImportFormat.CSV:
            return csv_table.parse(data.text), []
        if data.code_prefix is None:
            raise InvalidInput("措施表没有事项编码，请提供8位编码前缀 code_prefix", "code_prefix required")
        return seed_table.parse(data.text, data.code_prefix)
    except seed_table.TableError as exc:
        raise InvalidInput(
            "表格未通过校验，请按行号修改后重新导入", "table failed validation", errors=exc.errors
        ) from exc


async def _apply(
    conn: Connection, principal: Principal, items: list[tuple[str, CatalogueItemContent]], *, allow_change: bool
) -> list[ImportedItem]:
    """Create new codes; with ``allow_change``, add a version where content differs."""
    existing = await catalogue.fetch_by_codes(conn, codes=[c for c, _ in items], lock=True)
    _refuse_foreign_codes(existing, principal)
    new = [(c, item) for c, item in items if c not in existing]
    entries = await _create(conn, principal, new)
    outcomes = {c: (ImportOutcome.CREATED, 1) for c, _ in new}
    for code, item in items:
        if (current := existing.get(code)) is not None:
            outcome, version, entry = await _revise(conn, principal, current, item, allow_change=allow_change)
            outcomes[code] = (outcome, version)
            if entry is not None:
                entries.append(entry)
    await audit.append_many(conn, entries)
    return [ImportedItem(code=c, name=item.name, outcome=outcomes[c][0], version=outcomes[c][1]) for c, item in items]


def _refuse_foreign_codes(existing: dict[str, asyncpg.Record], principal: Principal) -> None:
    """A code is unique across departments: one already in another department's catalogue refuses the table."""
    if foreign := sorted(c for c, row in existing.items() if row["department_id"] != principal.department_id):
        raise Conflict(
            "以下事项编码已属于其他单位的清单",
            "codes belong to another department",
            code="item-code-taken",
            extra={"codes": foreign},
        )


async def _create(
    conn: Connection, principal: Principal, new: list[tuple[str, CatalogueItemContent]]
) -> list[audit.AuditEntry]:
    """Insert the new codes at version 1; returns their audit entries."""
    rows = [idempotency.new_row(principal, item, id=new_id(), participants=[]) | {"code": c} for c, item in new]
    if len(await versioned.insert_new(conn, table=CATALOGUE, rows=rows)) != len(rows):
        raise Conflict(
            "另一导入正在写入相同的事项编码，请稍后重试", "codes inserted concurrently", code="concurrent-import"
        )
    return [
        trail.change(principal, "catalogue.create", CATALOGUE_ITEM, r["id"], after=r["content_sha256"]) for r in rows
    ]


async def _revise(
    conn: Connection, principal: Principal, current: asyncpg.Record, item: CatalogueItemContent, *, allow_change: bool
) -> tuple[ImportOutcome, int, audit.AuditEntry | None]:
    """An existing code: a new version where the content differs and changes are allowed (with its audit entry)."""
    sha = idempotency.content_hash(item)
    if sha == current["content_sha256"] or not allow_change:
        return ImportOutcome.UNCHANGED, current["version"], None
    await _new_version(conn, principal, current, item)
    entry = trail.change(
        principal, "catalogue.update", CATALOGUE_ITEM, current["id"], before=current["content_sha256"], after=sha
    )
    return ImportOutcome.UPDATED, current["version"] + 1, entry


async def _new_version(
    conn: Connection, principal: Principal, current: asyncpg.Record, content: CatalogueItemContent
) -> None:
    changes = {
        "content": idempotency.canonical(content)[0],
        "content_sha256": idempotency.canonical(content)[1],
        "version_by": principal.user_id,
        "version_device": principal.device_id,
    }
    await versioned.replace_version(conn, table=CATALOGUE, current=current, changes=changes)


async def export_table(conn: Connection, principal: Principal, format: ImportFormat) -> str:
    """The department's catalogue in the import format: CSV loses nothing; the seed table has no codes."""
    items = [item_read(r) for r in await catalogue.list_for_department(conn, department_id=principal.department_id)]
    if format is ImportFormat.CSV:
        return csv_table.render([(i.code, i.content) for i in items])
    numbers = [int(i.code[8:]) for i in items]
    if len(set(numbers)) != len(numbers):  # codes from several prefixes: number the rows afresh
        numbers = list(range(1, len(items) + 1))
    return seed_table.render(list(zip(numbers, [i.content for i in items], strict=True)))
