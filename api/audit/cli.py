"""``enforce audit verify`` and ``enforce audit checkpoint``: check the chain, anchor its head."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer

from api.audit import checkpoints
from api.audit.service import VERIFY_BATCH, verify_anchored
from api.runtime import resolved
from api.settings import Settings, load_settings
from storage.db import Connection, create_pool, transaction
from storage.migrate import apply_migrations
from storage.objects import ObjectStore

cli = typer.Typer(name="audit", help="留痕 / audit log", no_args_is_help=True)
T = TypeVar("T")


@cli.command()
def verify(batch: int = typer.Option(VERIFY_BATCH, min=1, help="entries read per query")) -> None:
    """校验留痕哈希链及锚点 / verify the hash chain and its checkpoints: exit 0 when intact, 1 at the first flaw."""
    report = with_store(load_settings(), lambda conn, store, ready: verify_anchored(conn, store, ready, batch=batch))
    if report.intact:
        typer.echo(f"chain intact: {report.entries} entries, head {report.head_hash}")
        typer.echo(f"matches {report.checkpoints} checkpoints")
        return
    where = f"at seq {report.bad_seq}" if report.bad_seq is not None else "against its checkpoints"
    typer.echo(f"chain broken {where}: {report.reason}", err=True)
    typer.echo(f"{report.entries} entries before it are intact, up to head {report.head_hash}", err=True)
    raise typer.Exit(1)


@cli.command()
def checkpoint() -> None:
    """锚定留痕链 / write a signed checkpoint of the chain's head into the Object-Locked bucket now."""
    settings = load_settings()

    async def work(conn: Connection, store: ObjectStore, ready: Settings) -> checkpoints.Anchor:
        return await checkpoints.write(conn, store, checkpoints.signing_key(ready))

    anchor = with_store(settings, work)
    assert anchor.checkpoint is not None
    typer.echo(f"checkpoint {anchor.name}: seq {anchor.checkpoint.seq}, head {anchor.checkpoint.entry_hash}")
    typer.echo(f"signed by key {anchor.checkpoint.key_id}")


def with_store(settings: Settings, work: Callable[[Connection, ObjectStore, Settings], Awaitable[T]]) -> T:
    """Run ``work`` on one snapshot of the database, with the evidence store (embedded ones started or shared)."""
    from api.app import build_store  # the app module pulls in every domain; only these commands need it

    with resolved(settings) as ready:
        assert ready.database.url is not None
        apply_migrations(ready.database.url)

        async def main() -> T:
            pool = await create_pool(ready.database.url or "", min_size=1, max_size=1)
            try:
                async with transaction(pool, isolation="repeatable_read") as conn:
                    return await work(conn, build_store(ready), ready)
            finally:
                await pool.close()

        return asyncio.run(main())
