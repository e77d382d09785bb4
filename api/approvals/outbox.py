"""Delivering feedback to the approval bureau (双反馈) from the outbox, until acknowledged.

A delivery pass: claim the due messages (a lease moves their next attempt
past the HTTP timeout, so a second worker leaves them alone), POST each to
the bureau's URL with ``Idempotency-Key: <message id>``, then in a new
transaction mark it delivered on a 2xx answer, or schedule the next attempt
``base × 2^(attempts−1)`` seconds later (capped) on anything else. A
delivered message is never claimed again, so the sender does not send after
an acknowledgement. Should the worker die between the bureau's 2xx and the
commit, the message is sent once more: the idempotency key lets the bureau
recognise it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from collections.abc import Mapping

import asyncpg
import httpx
import msgspec

from storage import approvals
from storage.db import transaction

log = logging.getLogger(__name__)


class FeedbackSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Where and how findings reach the bureau (``APPROVAL_FEEDBACK_*`` variables)."""

    url: str
    token: str = ""
    timeout_s: float = 10.0
    base_delay_s: float = 30.0
    max_delay_s: float = 3600.0
    batch: int = 50

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> FeedbackSettings:
        return cls(
            url=env["APPROVAL_FEEDBACK_URL"],
            token=env.get("APPROVAL_FEEDBACK_TOKEN", ""),
            timeout_s=float(env.get("APPROVAL_FEEDBACK_TIMEOUT_S", "10")),
        )

    def delay_after(self, attempts: int) -> dt.timedelta:
        return dt.timedelta(seconds=min(self.base_delay_s * 2 ** (attempts - 1), self.max_delay_s))


class PassReport(msgspec.Struct):
    delivered: int = 0
    failed: int = 0


async def deliver_due(
    pool: asyncpg.Pool, client: httpx.AsyncClient, settings: FeedbackSettings, *, now: dt.datetime | None = None
) -> PassReport:
    """One delivery pass over the messages due at ``now``."""
    now = now or dt.datetime.now(dt.UTC)
    lease_until = now + dt.timedelta(seconds=2 * settings.timeout_s + 5)
    async with transaction(pool) as conn:
        claimed = await approvals.claim_due(conn, now=now, lease_until=lease_until, limit=settings.batch)
    report = PassReport()
    for message in claimed:
        status, error = await _post(client, settings, message)
        async with transaction(pool) as conn:
            if status is not None and 200 <= status < 300:
                await approvals.mark_delivered(conn, id=message["id"], at=now, status=status)
                report.delivered += 1
            else:
                retry_at = now + settings.delay_after(message["attempts"])
                await approvals.schedule_retry(conn, id=message["id"], at=retry_at, status=status, error=error)
                report.failed += 1
                log.warning("feedback %s attempt %d failed: %s", message["id"], message["attempts"], error)
    return report


async def _post(client: httpx.AsyncClient, settings: FeedbackSettings, message) -> tuple[int | None, str]:
    """(HTTP status or None, error text); never raises for the bureau's failures."""
    headers = {"Idempotency-Key": str(message["id"])}
    if settings.token:
        headers["Authorization"] = f"Bearer {settings.token}"
    try:
        async with asyncio.timeout(settings.timeout_s):  # a total bound, inside the lease; httpx's is per phase
            answer = await client.post(settings.url, json=message["payload"], headers=headers)
    except (httpx.HTTPError, TimeoutError) as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]
    return answer.status_code, "" if answer.is_success else answer.text[:500]
