"""Writing the audit trail (留痕): who acted, and hashes of the state before and after.

Every domain records its changes through ``record`` as the last step before
commit. A state is hashed as SHA-256 of its canonical JSON (sorted keys,
msgspec's encoding of UUIDs and times); secrets such as the password hash are
left out, so the log proves *that* a row changed without holding the secret.
"""

from __future__ import annotations

import getpass
import uuid
from collections.abc import Mapping
from typing import Any

import asyncpg
import msgspec

from api.auth.principal import Principal
from storage import audit
from storage.canonical import canonical_sha256
from storage.db import Connection

SECRET_FIELDS = frozenset({"password_hash", "token_hash"})
COMMAND_LINE_ROLE = "cli"

State = Mapping[str, Any] | asyncpg.Record  # a row, as read or as about to be written


class Actor(msgspec.Struct, frozen=True, kw_only=True):
    """操作人 / who acts: a signed-in user, or the local administrator at the command line."""

    user_id: uuid.UUID | None
    role: str
    device_id: str | None = None
    detail: dict[str, Any] = {}

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        return cls(user_id=principal.user_id, role=principal.role.value, device_id=principal.device_id)

    @classmethod
    def command_line(cls) -> Actor:
        """The operating-system account that ran ``enforce admin …`` is what the log can name."""
        return cls(user_id=None, role=COMMAND_LINE_ROLE, detail={"os_user": getpass.getuser()})


def state_hash(state: State | None) -> str | None:
    """SHA-256 of a row's canonical JSON, secrets left out; None for "no state" (before a create)."""
    if state is None:
        return None
    return canonical_sha256({key: value for key, value in state.items() if key not in SECRET_FIELDS})


def entry(
    actor: Actor | Principal,
    *,
    action: str,
    entity_type: str,
    entity_id: str,
    department_id: uuid.UUID | None,
    before_hash: str | None = None,
    after_hash: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> audit.AuditEntry:
    """One audit entry (留痕) by ``actor``, for ``storage.audit.append_many`` or ``record``."""
    who = Actor.of(actor) if isinstance(actor, Principal) else actor
    return audit.AuditEntry(
        actor_id=who.user_id,
        actor_role=who.role,
        department_id=department_id,
        device_id=who.device_id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before_hash=before_hash,
        after_hash=after_hash,
        detail=who.detail | dict(detail or {}),
    )


def change(
    principal: Principal,
    action: str,
    entity_type: str,
    id: uuid.UUID,
    *,
    before: str | None = None,
    after: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> audit.AuditEntry:
    """The entry of a change the caller made to one thing of their own department: its content hashes."""
    return entry(
        principal,
        action=action,
        entity_type=entity_type,
        entity_id=str(id),
        department_id=principal.department_id,
        before_hash=before,
        after_hash=after,
        detail=detail,
    )


async def record(
    conn: Connection,
    actor: Actor | Principal,
    *,
    action: str,
    entity_type: str,
    entity_id: str,
    department_id: uuid.UUID | None,
    before: State | None = None,
    after: State | None = None,
    detail: Mapping[str, Any] | None = None,
) -> audit.StoredAuditEntry:
    """Append one entry; call it last before commit, it holds the chain's lock until then."""
    appended = entry(
        actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        department_id=department_id,
        before_hash=state_hash(before),
        after_hash=state_hash(after),
        detail=detail,
    )
    return await audit.append(conn, appended)
