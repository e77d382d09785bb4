"""``enforce approvals deliver``: the worker that feeds findings back to the approval bureau."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

import httpx
import typer

from api.approvals.outbox import FeedbackSettings, deliver_due
from api.runtime import resolved
from api.settings import load_settings
from storage.db import create_pool

cli = typer.Typer(name="approvals", help="审管联动 / approval hand-over", no_args_is_help=True)


@cli.command()
def deliver(
    once: Annotated[bool, typer.Option(help="one pass, then exit")] = False,
    interval_s: Annotated[float, typer.Option(min=1, help="pause between passes")] = 15.0,
) -> None:
    """Send due findings and objections to APPROVAL_FEEDBACK_URL until each is acknowledged (2xx)."""
    logging.basicConfig(level=logging.INFO)
    feedback = FeedbackSettings.from_env()
    with resolved(load_settings()) as ready:
        asyncio.run(_run(ready.database.url or "", feedback, once=once, interval_s=interval_s))


async def _run(dsn: str, feedback: FeedbackSettings, *, once: bool, interval_s: float) -> None:
    pool = await create_pool(dsn, min_size=1, max_size=2)
    try:
        async with httpx.AsyncClient() as client:
            while True:
                report = await deliver_due(pool, client, feedback)
                typer.echo(f"delivered {report.delivered}, failed {report.failed}")
                if once:
                    return
                await asyncio.sleep(interval_s)
    finally:
        await pool.close()
