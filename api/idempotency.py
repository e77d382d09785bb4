"""Idempotent intake of client-identified, versioned documents (cases and records).

The rules every handheld relies on when its network drops mid-request:
- same id, same content (hash of canonical JSON) → the stored result, never a duplicate;
- same id, other content → 409 ``id-conflict``;
- an edit based on a version that is no longer current → 409 ``stale-version``,
  unless it is the retry of an edit already applied (the version it made, current or since superseded);
- an edit based on a version the server has not received yet → 409 ``version-not-yet-synced`` (retry
  once the earlier edits are in).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
import msgspec

from api.auth.principal import Principal
from mobile_contract.problems import AppError, Conflict, NotFound
from storage import versioned
from storage.canonical import canonical_json
from storage.db import Connection
from storage.versioned import VersionedTable


class Outcome(enum.StrEnum):
    CREATED = "created"
    REPLAYED = "replayed"
    UPDATED = "updated"


HTTP_STATUS = {Outcome.CREATED: 201, Outcome.REPLAYED: 200, Outcome.UPDATED: 200}  # the answer to each outcome


class NewDocument(msgspec.Struct, frozen=True):
    """A validated document ready to insert: its row and its content hash."""

    id: uuid.UUID
    row: dict[str, Any]
    content_sha256: str


def canonical(content: msgspec.Struct) -> tuple[str, str]:
    """(canonical JSON, its SHA-256): sorted keys, so equal content hashes equal."""
    encoded = canonical_json(content)
    return encoded.decode(), hashlib.sha256(encoded).hexdigest()


def content_hash(content: msgspec.Struct) -> str:
    return canonical(content)[1]


def new_row(principal: Principal, content: msgspec.Struct, *, id: uuid.UUID, participants: Sequence[uuid.UUID]) -> dict:
    """The columns every document shares, filled for a new document by ``principal``."""
    text, sha256 = canonical(content)
    return {
        "id": id,
        "department_id": principal.department_id,
        "content_sha256": sha256,
        "content": text,
        "created_by": principal.user_id,
        "device_id": principal.device_id,
        "participant_ids": sorted(set(participants) | {principal.user_id}),
    }


def as_version(current: asyncpg.Record) -> dict[str, Any]:
    """The current row in the shape of a stored version (who made it, from which device, when)."""
    return dict(current) | {
        "changed_by": current["version_by"],
        "device_id": current["version_device"],
        "changed_at": current["updated_at"],
    }


def id_conflict(entity: str, id: uuid.UUID) -> Conflict:
    return Conflict(
        f"此{entity}的编号已被另一份内容不同的{entity}使用，请勿用同一编号提交不同内容；如需修改请提交修改（带版本号）",
        f"{entity} {id} exists with different content",
        code="id-conflict",
        extra={"id": str(id)},
    )


async def create_many(
    conn: Connection, principal: Principal, *, table: VersionedTable, entity: str, docs: Sequence[NewDocument]
) -> tuple[dict[uuid.UUID, Outcome | AppError], dict[uuid.UUID, dt.datetime]]:
    """Insert new documents; classify the rest as replays or conflicts.

    Returns (outcomes, inserted): the ids inserted now, with their created_at.
    """
    inserted = await versioned.insert_new(conn, table=table, rows=[d.row for d in docs])
    hashes = {d.id: d.content_sha256 for d in docs}
    return await settle(conn, principal, table=table, entity=entity, hashes=hashes, inserted=inserted), inserted


async def settle(
    conn: Connection,
    principal: Principal,
    *,
    table: VersionedTable,
    entity: str,
    hashes: Mapping[uuid.UUID, str],
    inserted: Mapping[uuid.UUID, Any],
) -> dict[uuid.UUID, Outcome | AppError]:
    """Outcomes of documents offered for insert (id → content hash), given those inserted now.

    Each one not inserted is read back (one query for all, none when every one was new): the same
    content in the caller's department is a replay, anything else an id conflict.
    """
    others = [id for id in hashes if id not in inserted]
    existing = await versioned.fetch_current(conn, table=table, ids=others)
    outcomes: dict[uuid.UUID, Outcome | AppError] = dict.fromkeys(inserted, Outcome.CREATED)
    for id in others:
        stored = existing.get(id)
        replayed = stored is not None and (stored["content_sha256"], stored["department_id"]) == (
            hashes[id],
            principal.department_id,
        )
        outcomes[id] = Outcome.REPLAYED if replayed else id_conflict(entity, id)
    return outcomes


def not_found(entity: str, id: uuid.UUID) -> NotFound:
    return NotFound(f"{entity}不存在或不属于本单位", f"{entity} {id} not found")


async def lock_for_edit(
    conn: Connection, principal: Principal, *, table: VersionedTable, entity: str, id: uuid.UUID
) -> asyncpg.Record:
    current = await versioned.lock_current(conn, table=table, id=id)
    if current is None or not principal.can_see_department(current["department_id"]):
        raise not_found(entity, id)
    return current


async def edit_outcome(
    conn: Connection,
    current: asyncpg.Record,
    principal: Principal,
    *,
    table: VersionedTable,
    base_version: int,
    new_sha256: str,
    entity: str,
) -> Outcome | None:
    """REPLAYED if this edit is already applied; None if it may proceed; else raises why not.

    An edit is known by what it made: version ``base_version + 1`` with this content, by this user.
    That version may be the current one, or one another device's edit has since superseded.
    """
    version = current["version"]
    if current["content_sha256"] == new_sha256 and (
        version == base_version or (version == base_version + 1 and current["version_by"] == principal.user_id)
    ):
        return Outcome.REPLAYED
    if base_version > version:
        raise _version_ahead(entity, version, base_version)
    if base_version == version:
        return None
    made = base_version + 1
    if await versioned.version_exists(
        conn, table=table, id=current["id"], version=made, content_sha256=new_sha256, changed_by=principal.user_id
    ):
        return Outcome.REPLAYED
    raise Conflict(
        f"该{entity}已被修改（当前版本 {version}，您基于版本 {base_version}），请先同步最新版本再修改",
        f"stale edit: based on {base_version}, current is {version}",
        code="stale-version",
        extra={"current_version": version, "base_version": base_version},
    )


def _version_ahead(entity: str, version: int, base_version: int) -> Conflict:
    """The edit builds on an edit the server has not received: the device sends that one first, then retries."""
    return Conflict(
        f"服务器上该{entity}为版本 {version}，您的修改基于版本 {base_version}：之前的修改尚未同步，"
        "请先同步之前的修改，成功后本修改会自动重试（无需重做）",
        f"edit based on version {base_version}, the server has {version}: sync the earlier edits first",
        code="version-not-yet-synced",
        extra={"current_version": version, "base_version": base_version, "retryable": True},
    )
