"""Canonical JSON and its SHA-256: the hashes audit entries and stored documents carry.

Sorted keys and struct fields, sets sorted, no whitespace (msgspec's ``order="sorted"``),
so the same document always hashes the same, whichever client produced it.
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec


def canonical_json(value: Any) -> bytes:
    return msgspec.json.encode(value, order="sorted")


def canonical_sha256(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()
