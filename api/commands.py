"""What every ``enforce`` command that changes data shares: one transaction, and refusals said plainly.

A refusal (``AppError``) prints each field error on its own line, then the reason, and exits 1,
so an operator fixing a file sees every bad line at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer

from api.runtime import run_in_transaction
from api.settings import load_settings
from mobile_contract.problems import AppError
from storage.db import Connection

T = TypeVar("T")


def run_or_explain(work: Callable[[Connection], Awaitable[T]]) -> T:
    """Run ``work`` in one transaction on the configured database; on a refusal, explain it and exit 1."""
    try:
        return run_in_transaction(load_settings(), work)
    except AppError as exc:
        for error in exc.errors:
            typer.echo(f"{error.field}: {error.message}", err=True)
        typer.echo(f"{exc.detail} ({exc.detail_en})", err=True)
        raise typer.Exit(1) from exc
