"""``enforce discretion``: import and publish a discretion benchmark (裁量基准) from a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.audit.trail import Actor
from api.commands import run_or_explain
from api.discretion import service
from mobile_contract.discretion import BenchmarkImport
from mobile_contract.problems import NotFound
from storage import users
from storage.db import Connection

cli = typer.Typer(name="discretion", help="裁量基准 / discretion benchmark", no_args_is_help=True)


@cli.command("import")
def import_csv(
    csv_file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="UTF-8 CSV, see mobile_contract/discretion.py")
    ],
    department: Annotated[str, typer.Option(help="单位编码 / department code")],
    title: Annotated[str, typer.Option(help="版本名称 / version title")],
    publish: Annotated[bool, typer.Option(help="导入后立即发布 / publish at once")] = False,
) -> None:
    """导入新版本（草稿，可立即发布）/ import a new version as a draft, optionally publishing it."""
    data = BenchmarkImport(title=title, csv=csv_file.read_text(encoding="utf-8-sig"))

    async def work(conn: Connection) -> str:
        found = await users.get_department_by_code(conn, code=department)
        if found is None:
            raise NotFound(f"实施机构 {department} 不存在", f"no department with code {department}")
        actor = Actor.command_line()
        summary = await service.import_csv(conn, actor, found["id"], data)
        if publish:
            summary = await service.publish(conn, actor, summary.id, found["id"])
        state = "published" if summary.published_at else "draft"
        return f"version {summary.version} ({state}): {summary.entries} rows, id {summary.id}"

    typer.echo(run_or_explain(work))
