"""What a person reads in a problem document's ``detail`` (问题说明): never a UUID, never an internal key.

The internal keys are a list taken from the contract itself — every snake_case value of its enums
(deadline rules such as ``decide_90``, states, kinds) and every tagged Struct's tag (procedure steps
such as ``refuse_filing``) — not a snake_case pattern, which would also flag what a user typed.
"""

from __future__ import annotations

import enum
import functools
import importlib
import pkgutil
import re
from typing import Any

import msgspec

import mobile_contract

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


@functools.cache
def internal_keys() -> frozenset[str]:
    """The contract's snake_case codes: enum values and Struct tags."""
    found: set[str] = set()
    for module in pkgutil.iter_modules(mobile_contract.__path__):
        for thing in vars(importlib.import_module(f"mobile_contract.{module.name}")).values():
            if isinstance(thing, type) and issubclass(thing, enum.StrEnum):
                found.update(m.value for m in thing)
            elif isinstance(thing, type) and issubclass(thing, msgspec.Struct):
                tag = thing.__struct_config__.tag
                found.update([tag] if isinstance(tag, str) else [])
    return frozenset(k for k in found if "_" in k)


@functools.cache
def _keys_pattern() -> re.Pattern[str]:
    words = "|".join(re.escape(k) for k in sorted(internal_keys(), key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9_])({words})(?![A-Za-z0-9_])")


def unreadable(problem: dict[str, Any]) -> list[str]:
    """What in ``problem['detail']`` a person should not have to read (empty: nothing)."""
    detail = str(problem.get("detail", ""))
    found = [f"a UUID: {m}" for m in UUID.findall(detail)]
    found += [f"an internal key: {m}" for m in _keys_pattern().findall(detail)]
    return [f"{problem.get('code')}: {what} in {detail!r}" for what in found]
