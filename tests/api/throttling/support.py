"""Helpers for throttling tests: callers from chosen addresses, and the shape of a 429."""

from __future__ import annotations

import itertools

import httpx

_hosts = itertools.count(1)


def new_address() -> str:
    """An address no other test uses (TEST-NET-3, 203.0.113.0/24, then onwards in 203.0.0.0/8)."""
    n = next(_hosts)
    return f"203.{n // 65536}.{113 + n // 256 % 100}.{n % 256}"


def from_address(address: str) -> dict[str, str]:
    """Headers of a request that comes from ``address`` (the tests' proxy passes it on)."""
    return {"X-Forwarded-For": address}


def assert_throttled(answer: httpx.Response, code: str) -> int:
    """A 429 problem in Chinese with Retry-After (also in ``extra``); returns the seconds to wait."""
    assert answer.status_code == 429, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body = answer.json()
    seconds = int(answer.headers["retry-after"])
    assert (body["code"], body["extra"]["retry_after_s"]) == (code, seconds)
    assert seconds > 0 and "后再" in body["detail"]
    return seconds
