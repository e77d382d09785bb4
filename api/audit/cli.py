"""``enforce audit verify``: walk the whole audit chain and name the first bad entry."""

from __future__ import annotations

import typer

from api.audit.service import VERIFY_BATCH, verify_chain
from api.runtime import run_in_transaction
from api.settings import load_settings

cli = typer.Typer(name="audit", help="留痕 / audit log", no_args_is_help=True)


@cli.command()
def verify(batch: int = typer.Option(VERIFY_BATCH, min=1, help="entries read per query")) -> None:
    """校验留痕哈希链 / verify the hash chain: exit 0 when intact, 1 at the first bad entry."""
    report = run_in_transaction(load_settings(), lambda conn: verify_chain(conn, batch=batch))
    if report.intact:
        typer.echo(f"chain intact: {report.entries} entries, head {report.head_hash}")
        return
    typer.echo(f"chain broken at seq {report.bad_seq}: {report.reason}", err=True)
    typer.echo(f"{report.entries} entries before it are intact, up to head {report.head_hash}", err=True)
    raise typer.Exit(1)
