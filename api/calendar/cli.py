"""``enforce calendar``: load the State Council's holiday notice for a year, and say what is loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.audit.trail import Actor
from api.calendar import flows, service
from api.cases import clock, workflow
from api.commands import run_or_explain
from mobile_contract.calendar import CalendarImport, CalendarImportResult, FileFormat
from storage.db import Connection

cli = typer.Typer(name="calendar", help="节假日安排 / working calendar", no_args_is_help=True)


@cli.command("import")
def import_file(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="CSV or JSON, see mobile_contract/calendar.py")
    ],
    year: Annotated[int, typer.Option(help="通知所属年份 / the notice's year")],
    document_no: Annotated[str, typer.Option(help="文号，如 国办发明电〔2024〕12号")] = "",
    title: Annotated[str, typer.Option(help="通知标题（默认按年份）/ the notice's title")] = "",
    note: Annotated[str, typer.Option(help="更正说明 / why, for a correction")] = "",
) -> None:
    """导入放假通知并重算未完成的期限 / load a year's notice and recompute open deadlines."""
    format = FileFormat.JSON if file.suffix.lower() == ".json" else FileFormat.CSV
    data = CalendarImport(
        year=year,
        document_no=document_no,
        title=title,
        note=note,
        format=format,
        text=file.read_text(encoding="utf-8-sig"),
    )

    async def work(conn: Connection) -> CalendarImportResult:
        return await flows.import_notice(conn, Actor.command_line(), data)

    result = run_or_explain(work)
    version = result.version
    typer.echo(f"version {version.version}: {version.years[0]} {version.title} {version.document_no}".rstrip())
    typer.echo(f"{version.days} days; recomputed the deadlines of {result.cases_recomputed} case(s)")
    for change in result.changed:
        typer.echo(f"  {workflow.change_line(change)}")


@cli.command("status")
def status() -> None:
    """已导入的年份与提醒 / years loaded, and a warning when next year is not."""

    async def work(conn: Connection) -> list[str]:
        found = await service.status(conn, clock.today())
        latest = found.versions[0]
        lines = [
            f"years loaded: {', '.join(map(str, found.years))}",
            f"latest: version {latest.version} {latest.title}",
        ]
        return [*lines, f"WARNING: {found.warning}"] if found.warning else lines

    for line in run_or_explain(work):
        typer.echo(line)
