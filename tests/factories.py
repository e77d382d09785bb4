"""Builders of valid contract payloads for tests (JSON-ready dicts, as a handheld sends them)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid

import uuid_utils
from chinese_calendar import constants

from api.calendar.workdays import DayKind, WorkingCalendar
from tests.conftest import Caller

VALID_USCC = "91350100M000100Y43"


def uuid7() -> uuid.UUID:
    return uuid.UUID(str(uuid_utils.uuid7()))


def officer(caller: Caller) -> dict:
    return {
        "user_id": str(caller.principal.user_id),
        "name": caller.principal.username,
        "certificate_no": f"C{caller.principal.user_id.hex[:10]}",
    }


def evidence_item(payload: bytes | None = None, *, media_type: str = "image/jpeg") -> tuple[dict, bytes]:
    data = payload if payload is not None else os.urandom(2048)
    item = {
        "id": str(uuid7()),
        "kind": "photo",
        "media_type": media_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "captured_at": "2026-11-20T09:30:00+08:00",
        "gps": {"lat": 28.68, "lon": 115.86, "accuracy_m": 4.5},
        "device_id": "DEV-TEST-0001",
    }
    return item, data


def inspection(*officers: Caller, result: str = "现场未发现越界开采", evidence: list[dict] | None = None) -> dict:
    return {
        "kind": "inspection",
        "item_code": "36010100100001",
        "party": {"kind": "legal_person", "name": "某某石料有限公司", "uscc": VALID_USCC},
        "region_code": "360102",
        "occurred_at": dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC).isoformat(),
        "place": {"address": "某县某镇采石场", "gps": {"lat": 28.68, "lon": 115.86, "accuracy_m": 5.0}},
        "officers": [officer(o) for o in officers],
        "result": result,
        "inspection_type": "routine",
        "evidence": evidence or [],
    }


def record_create(*officers: Caller, **kwargs: object) -> dict:
    return {"id": str(uuid7()), "content": inspection(*officers, **kwargs)}  # type: ignore[arg-type]


def package_calendar() -> WorkingCalendar:
    """The working calendar as the chinesecalendar package has it (2004–2026), for tests without a database."""
    days = {d: DayKind.HOLIDAY for d in constants.holidays} | {d: DayKind.WORKDAY for d in constants.workdays}
    return WorkingCalendar(version=1, years=frozenset(d.year for d in constants.holidays), days=days)
