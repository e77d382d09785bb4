"""``enforce evidence verify``: re-read every verified evidence object and check its SHA-256."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.audit.trail import Actor
from api.evidence.integrity import VerifyReport, verify_all
from api.runtime import resolved
from api.settings import Settings, load_settings
from storage import users
from storage.db import create_pool

cli = typer.Typer(name="evidence", help="证据 / evidence", no_args_is_help=True)


@cli.command()
def verify(
    department: Annotated[str | None, typer.Option(help="只核验该单位（单位编码）/ department code")] = None,
    record: Annotated[uuid.UUID | None, typer.Option(help="只核验该记录 / record id")] = None,
) -> None:
    """证据完整性核验: re-hash every verified object in S3, record each check, list failures (exit 1 if any)."""
    report = asyncio.run(_verify(load_settings(), department, record))
    console = Console()
    if report.failures:
        console.print(_failure_table(report))
    console.print(f"checked {report.checked} verified items, {len(report.failures)} failed")
    raise typer.Exit(1 if report.failures else 0)


async def _verify(settings: Settings, department_code: str | None, record_id: uuid.UUID | None) -> VerifyReport:
    from api.app import build_store  # the app module pulls in every domain; only this command needs it

    with resolved(settings) as ready:
        assert ready.database.url is not None
        pool = await create_pool(ready.database.url, min_size=1, max_size=2)
        try:
            department_id = await _department_id(pool, department_code)
            store, by = build_store(ready), Actor.command_line()
            return await verify_all(pool, store, by=by, department_id=department_id, record_id=record_id)
        finally:
            await pool.close()


async def _department_id(pool, code: str | None) -> uuid.UUID | None:
    if code is None:
        return None
    async with pool.acquire() as conn:
        found = await users.get_department_by_code(conn, code=code)
    if found is None:
        raise typer.BadParameter(f"no department with code {code}", param_hint="--department")
    return found["id"]


def _failure_table(report: VerifyReport) -> Table:
    table = Table(title="证据完整性核验失败 / evidence that failed its integrity check")
    for column in ("evidence", "record", "outcome", "version", "detail"):
        table.add_column(column, overflow="fold")
    for failed in report.failures:
        check = failed.check
        table.add_row(
            str(failed.evidence_id), str(failed.record_id), check.outcome.value, check.version_id or "", check.detail
        )
    return table
