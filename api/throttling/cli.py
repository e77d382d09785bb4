"""``enforce throttling``: see who waits, and lift an account lock or an address's wait from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from api.audit.trail import Actor
from api.runtime import run_in_transaction
from api.settings import load_settings
from api.throttling import service
from api.throttling.service import ADDRESS_SCOPES
from mobile_contract.problems import AppError
from mobile_contract.throttling import ThrottleScope

cli = typer.Typer(
    name="throttling", help="登录与公开入口限流 / sign-in and public entrance throttling", no_args_is_help=True
)


@cli.command()
def waiting() -> None:
    """正在等待或被锁定的地址和账号 / who waits now, and until when."""
    rows = run_in_transaction(load_settings(), lambda conn: service.waiting(conn, service.now()))
    for row in rows:
        lock = f"  locked until {row.locked_until:%Y-%m-%d %H:%M:%S%z}" if row.locked_until else ""
        wait = f"  waits until {row.wait_until:%Y-%m-%d %H:%M:%S%z}" if row.wait_until else ""
        typer.echo(f"{row.scope.value:16} {row.subject:40} {row.events:5} failures{wait}{lock}")
    typer.echo(f"{len(rows)} waiting")


@cli.command()
def lift(
    account: Annotated[str | None, typer.Option(help="用户名 / username whose lock to lift")] = None,
    address: Annotated[str | None, typer.Option(help="客户端地址 / client address whose wait to lift")] = None,
) -> None:
    """解除账号锁定或地址限流（留痕）/ lift an account lock or an address's wait (audited)."""
    if (account is None) == (address is None):
        raise typer.BadParameter("give exactly one of --account and --address")
    scopes, subject = ([ThrottleScope.SIGN_IN_ACCOUNT], account) if account else (ADDRESS_SCOPES, address)
    assert subject is not None
    try:
        lifted = run_in_transaction(
            load_settings(), lambda conn: service.lift(conn, Actor.command_line(), scopes, subject)
        )
    except AppError as exc:
        typer.echo(f"{exc.detail} ({exc.detail_en})", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"lifted: {', '.join(row.scope.value for row in lifted)} for {subject}")
