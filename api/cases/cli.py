"""``enforce cases``: maintenance of the procedure's deadlines (办案期限)."""

from __future__ import annotations

import typer

from api.cases import workflow
from api.cases.calendar import covered_years
from api.runtime import run_in_transaction
from api.settings import load_settings

cli = typer.Typer(name="cases", help="案件办理 / case procedure", no_args_is_help=True)


@cli.command("refresh-deadlines")
def refresh_deadlines() -> None:
    """重新计算未完成的期限（如更新节假日数据后）/ recompute open deadlines, e.g. after new holiday data."""
    first, last = covered_years()
    typer.echo(f"holiday data covers {first}–{last}")
    count = run_in_transaction(load_settings(), workflow.refresh_deadlines)
    typer.echo(f"recomputed the deadlines of {count} case(s)")
