"""The audit log (全程留痕、可回溯) as supervisors and legal reviewers read it, and the chain check."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from mobile_contract.types import Sha256Hex


class AuditEntryRead(msgspec.Struct):
    """一条留痕记录 / one audit entry: who, on which device, when, what, and the state hashes."""

    seq: Annotated[int, Meta(description="链中序号 / position in the chain, from 1")]
    occurred_at: dt.datetime
    actor_id: uuid.UUID | None
    actor_role: str
    department_id: uuid.UUID | None
    device_id: str | None
    action: str
    entity_type: str
    entity_id: str
    before_hash: Annotated[str | None, Meta(description="变更前状态的 SHA-256 / SHA-256 of the state before")]
    after_hash: Annotated[str | None, Meta(description="变更后状态的 SHA-256 / SHA-256 of the state after")]
    detail: dict[str, Any]
    prev_hash: Sha256Hex
    entry_hash: Sha256Hex


class AuditPage(msgspec.Struct):
    """一页留痕记录 / a page of entries; pass ``next_after_seq`` as ``after_seq`` for the next page."""

    items: list[AuditEntryRead]
    next_after_seq: int | None = None


class ChainReport(msgspec.Struct):
    """留痕链校验结果 / result of walking the whole hash chain."""

    intact: bool
    entries: Annotated[int, Meta(description="校验通过的条数 / entries checked and found good")]
    head_hash: Annotated[Sha256Hex, Meta(description="最后一条完好记录的哈希 / hash of the last good entry")]
    bad_seq: Annotated[int | None, Meta(description="第一条有问题的序号 / first bad entry")] = None
    reason: str | None = None
    checkpoints: Annotated[int, Meta(description="核对过的锚点数 / checkpoints the chain was checked against")] = 0
