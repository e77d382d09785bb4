"""``enforce cases``: maintenance of the procedure's deadlines (办案期限)."""

from __future__ import annotations

import typer

from api.calendar import service as calendar
from api.cases import clock, workflow
from api.commands import run_or_explain
from storage.db import Connection

cli = typer.Typer(name="cases", help="案件办理 / case procedure", no_args_is_help=True)


@cli.command("refresh-deadlines")
def refresh_deadlines() -> None:
    """重新计算未完成的期限 / recompute open deadlines (a calendar import does this by itself)."""

    async def work(conn: Connection) -> list[str]:
        found = await calendar.current(conn)
        count, changed = await workflow.refresh_deadlines(conn, found)
        missing = calendar.missing_years(found, clock.today())
        lines = [f"holiday data covers {found.covered()}", f"recomputed the deadlines of {count} case(s)"]
        lines += [f"  {workflow.change_line(c)}" for c in changed]
        return lines + ([f"WARNING: {calendar.warning(missing)}"] if missing else [])

    for line in run_or_explain(work):
        typer.echo(line)
