"""Schema migrations: plain SQL files in ``storage/migrations`` applied by yoyo.

yoyo applies each file once, in order of the ``-- depends:`` chain and file
name, inside a transaction and under a lock, so several API processes may
start at once. It needs a DB-API driver, hence psycopg beside asyncpg.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from yoyo import get_backend, read_migrations

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def yoyo_url(dsn: str) -> str:
    """asyncpg-style ``postgresql://`` URL → yoyo's ``postgresql+psycopg://``."""
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(scheme="postgresql+psycopg"))


def apply_migrations(dsn: str) -> list[str]:
    """Apply every pending migration; returns the ids applied now."""
    backend = get_backend(yoyo_url(dsn))
    migrations = read_migrations(str(MIGRATIONS_DIR))
    try:
        with backend.lock():
            pending = backend.to_apply(migrations)
            backend.apply_migrations(pending)
    finally:
        backend.connection.close()  # yoyo leaves its connection open
    return [m.id for m in pending]
