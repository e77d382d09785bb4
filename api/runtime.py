"""Start the embedded servers when no external ones are configured."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

import msgspec

from api.settings import Settings, local_audit_signing_key, local_complaint_identity_key, local_jwt_secret
from storage import embedded
from storage.db import Connection, create_pool, transaction
from storage.migrate import apply_migrations

T = TypeVar("T")


def database_url(settings: Settings) -> str:
    """The configured database, or the embedded one under ``data_dir`` (started, or reused if running)."""
    if settings.database.url:
        return settings.database.url
    data_dir = settings.data_dir.resolve()
    url = embedded.start_postgres(data_dir / "postgres")
    embedded.make_owner_only(data_dir, passable=embedded.runs_as_other_account())  # after: the server loosens it
    return url


def where(settings: Settings) -> str:
    """Which database and data folder are acted on (数据库与数据目录): a wrong ENFORCE_DATA_DIR shows at once."""
    if settings.database.url:
        return f"数据库 / database: {settings.database.url.split('@')[-1]} (DATABASE_URL)"
    data_dir = settings.data_dir.resolve()
    fresh = "" if (data_dir / "postgres").exists() else "；尚无数据库，将新建 / none there yet: a new one is made"
    return f"数据库 / database: embedded, data folder {data_dir} (ENFORCE_DATA_DIR){fresh}"


def run_in_transaction(settings: Settings, work: Callable[[Connection], Awaitable[T]]) -> T:
    """For commands: say where, migrate the database, then run ``work`` in one transaction on it."""
    print(where(settings), file=sys.stderr)
    url = database_url(settings)
    apply_migrations(url)

    async def main() -> T:
        pool = await create_pool(url, min_size=1, max_size=1)
        try:
            async with transaction(pool) as conn:
                return await work(conn)
        finally:
            await pool.close()

    return asyncio.run(main())


@contextlib.contextmanager
def resolved(settings: Settings) -> Iterator[Settings]:
    """Settings with every service URL filled in; embedded ones stop on exit."""
    print(where(settings), file=sys.stderr)
    data_dir = settings.data_dir.resolve()
    database, store, auth = settings.database, settings.object_store, settings.auth
    s3 = None
    if settings.embedded:
        embedded.make_owner_only(data_dir, passable=embedded.runs_as_other_account())
    if database.url is None:
        database = msgspec.structs.replace(database, url=database_url(settings))
    if store.endpoint is None:
        s3 = embedded.start_s3(data_dir / "s3")
        store = msgspec.structs.replace(
            store, endpoint=s3.endpoint, access_key=s3.access_key, secret_key=s3.secret_key, secure=False
        )
    if not auth.jwt_secret:
        auth = msgspec.structs.replace(auth, jwt_secret=local_jwt_secret(data_dir))
    if not auth.audit_signing_key and settings.database.url is None:  # production sets AUDIT_SIGNING_KEY
        auth = msgspec.structs.replace(auth, audit_signing_key=local_audit_signing_key(data_dir))
    if not auth.complaint_identity_key and settings.database.url is None:  # production: COMPLAINT_IDENTITY_KEY
        auth = msgspec.structs.replace(auth, complaint_identity_key=local_complaint_identity_key(data_dir))
    try:
        yield msgspec.structs.replace(settings, database=database, object_store=store, auth=auth)
    finally:
        if s3 is not None:
            s3.stop()
