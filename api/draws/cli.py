"""``enforce draws verify FILE``: re-run a published draw from its seed and inputs (anyone can)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import msgspec
import typer

from api.draws import algorithm
from mobile_contract.draws import PublishedDraw

cli = typer.Typer(name="draws", help="双随机、一公开 / random inspections", no_args_is_help=True)


@cli.command()
def verify(path: Annotated[Path, typer.Argument(help="published draw JSON (GET /draws/{id}/published)")]) -> None:
    """Recompute the visits and the SHA-256; exit 1 if either differs from the published ones."""
    published = msgspec.json.decode(path.read_bytes(), type=PublishedDraw)
    problems = check(published)
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        raise typer.Exit(1)
    typer.echo(f"draw {published.document.draw_id}: re-run matches ({len(published.document.visits)} visits)")


def check(published: PublishedDraw) -> list[str]:
    """What does not match when the draw is re-run; empty when it all matches."""
    try:
        visits = algorithm.rerun(published.document)
    except (ValueError, algorithm.Understaffed) as exc:
        return [f"cannot re-run: {exc}"]
    problems = []
    if visits != published.document.visits:
        problems.append("re-run gives other visits than the published ones")
    if algorithm.digest(published.document) != published.sha256:
        problems.append("SHA-256 of the document differs from the published one")
    return problems
