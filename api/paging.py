"""Keyset paging (分页游标) of lists ordered newest first by (time, id): records, cases, public decisions.

A cursor is the (time, id) of the last item of a page, opaque to clients; the next page starts
strictly below it, so an item written meanwhile is neither repeated nor skipped.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid

import msgspec

from mobile_contract.problems import InvalidInput


class _Cursor(msgspec.Struct, array_like=True):
    at: dt.datetime
    id: uuid.UUID


def encode_cursor(at: dt.datetime, id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(_Cursor(at, id))).decode()


def decode_cursor(cursor: str | None) -> tuple[dt.datetime, uuid.UUID] | None:
    if cursor is None:
        return None
    try:
        parsed = msgspec.json.decode(base64.urlsafe_b64decode(cursor), type=_Cursor)
    except (ValueError, msgspec.DecodeError) as exc:
        raise InvalidInput("分页游标无效，请从第一页重新加载", "invalid cursor") from exc
    return parsed.at, parsed.id
