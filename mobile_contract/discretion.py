"""The discretion benchmark (行政处罚裁量基准, 行政处罚法第三十四条).

A department publishes numbered versions of one table: violation → legal
basis → circumstances (轻微 / 一般 / 严重) → allowed penalty kinds and fine
range. Versions are imported from CSV as drafts and become binding once
published; a published version never changes. A proposed penalty outside its
row is refused unless a written justification is given, and then the case
must pass legal review (法制审核).

CSV columns (UTF-8, header row, amounts in yuan with up to two decimals)::

    violation_code,violation,legal_basis,circumstance,penalty_kinds,fine_min_yuan,fine_max_yuan,note

``circumstance`` is ``minor``/``ordinary``/``serious`` (or 轻微/一般/严重);
``penalty_kinds`` lists penalty kinds separated by ``;`` (warning, fine,
confiscation, permit_restriction, business_restriction, detention, other).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from mobile_contract.records import AmountFen, PenaltyKind
from mobile_contract.types import ShortText
from mobile_contract.workflow import Circumstance

MAX_CSV_CHARS = 2_000_000


class BenchmarkEntry(msgspec.Struct, frozen=True, kw_only=True):
    """裁量基准的一行 / one row: a violation under one circumstance."""

    violation_code: str
    violation: str
    legal_basis: str
    circumstance: Circumstance
    kinds: list[PenaltyKind]
    fine_min_fen: AmountFen
    fine_max_fen: AmountFen
    note: str = ""


class BenchmarkImport(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """导入裁量基准（CSV 文本）/ import a benchmark version from CSV text."""

    title: ShortText
    csv: Annotated[str, Meta(min_length=1, max_length=MAX_CSV_CHARS)]


class BenchmarkSummary(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    department_id: uuid.UUID
    version: int
    title: str
    source_sha256: Annotated[str, Meta(description="导入 CSV 的 SHA-256 / hash of the imported CSV")]
    entries: int
    imported_by: uuid.UUID | None
    imported_at: dt.datetime
    published_at: dt.datetime | None
    published_by: uuid.UUID | None


class Benchmark(msgspec.Struct, kw_only=True):
    """一个版本的裁量基准 / one version with all its rows."""

    summary: BenchmarkSummary
    entries: list[BenchmarkEntry]
