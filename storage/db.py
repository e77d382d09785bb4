"""The asyncpg pool, the per-request transaction and error translation."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, TypeAlias

import asyncpg
import msgspec

from mobile_contract.problems import DatabaseUnavailable, InvalidInput

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

    # A pool hands out a proxy that forwards every call to its connection; both serve a transaction.
    Connection: TypeAlias = asyncpg.Connection | PoolConnectionProxy
else:
    Connection = asyncpg.Connection  # litestar reads it at run time, where asyncpg's classes are not generic
# The server cannot be reached, or ended the session (08xxx connection errors; 57xxx shutting down,
# starting up, terminated by an administrator), or a pooled connection was left unusable when the
# server ended it mid-statement (asyncpg's InternalClientError "another operation is in progress",
# seen by the fault suite right after PostgreSQL stopped): the request may be sent again later. A
# transaction whose connection closed under it ends in asyncpg's InterfaceError ("the underlying
# connection is closed"); ``transaction`` counts that too when the connection is indeed closed.
CONNECTION_ERRORS = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InternalClientError,
)


async def _init_connection(conn: Connection) -> None:
    # jsonb travels in binary (COPY needs it): a version byte, then the JSON text, encoded by msgspec.
    await conn.set_type_codec(
        "jsonb", schema="pg_catalog", encoder=_encode_jsonb, decoder=_decode_jsonb, format="binary"
    )
    # json keeps its text byte for byte (the audit log hashes that text); binary json is the text itself.
    await conn.set_type_codec(
        "json", schema="pg_catalog", encoder=_encode_json, decoder=msgspec.json.decode, format="binary"
    )


def _encode_jsonb(value: Any) -> bytes:
    return b"\x01" + _encode_json(value)


def _encode_json(value: Any) -> bytes:
    """str and bytes are JSON text already (canonical encodings); anything else is encoded."""
    if isinstance(value, str):
        return value.encode()
    return bytes(value) if isinstance(value, bytes | bytearray | memoryview) else msgspec.json.encode(value)


def _decode_jsonb(data: bytes) -> Any:
    return msgspec.json.decode(data[1:])


class LoopBoundPool(asyncpg.Pool):
    """asyncpg's pool, refusing to lend a connection to an event loop other than the one it was made on.

    A connection's protocol runs on its pool's loop; a second loop on it (an app object served by a
    second server or a second test client) shares its buffers between two threads and, now and then,
    crashed the whole process (segmentation fault) instead of raising.
    """

    home_loop: asyncio.AbstractEventLoop  # set by create_pool

    def acquire(self, *, timeout: float | None = None) -> Any:
        if asyncio.get_running_loop() is not self.home_loop:
            raise RuntimeError("this connection pool belongs to another event loop (another thread's server?)")
        return super().acquire(timeout=timeout)


async def create_pool(dsn: str, *, min_size: int = 2, max_size: int = 20) -> asyncpg.Pool:
    """Open the application's pool; raises DatabaseUnavailable when unreachable."""
    pool = LoopBoundPool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        max_queries=50_000,  # asyncpg's defaults from here to record_class
        max_inactive_connection_lifetime=300.0,
        loop=None,  # the running one
        connection_class=asyncpg.Connection,
        record_class=asyncpg.Record,
        init=_init_connection,
        command_timeout=60,
    )
    pool.home_loop = asyncio.get_running_loop()
    try:
        return await pool
    except CONNECTION_ERRORS as exc:
        raise DatabaseUnavailable("数据库暂时无法连接，请稍后重试", f"cannot reach database: {exc}") from exc


@contextlib.asynccontextmanager
async def acquired(pool: asyncpg.Pool) -> AsyncIterator[Connection]:
    """One connection without a transaction (reads outside a request's own); DatabaseUnavailable when down."""
    try:
        async with pool.acquire() as conn:
            yield conn
    except CONNECTION_ERRORS as exc:
        raise DatabaseUnavailable("数据库暂时无法连接，请稍后重试", f"database connection lost: {exc}") from exc


@contextlib.asynccontextmanager
async def transaction(pool: asyncpg.Pool, **options: Any) -> AsyncIterator[Connection]:
    """One connection and one transaction; commits on success, rolls back on error."""
    try:
        async with pool.acquire() as conn:
            try:
                async with conn.transaction(**options):
                    yield conn
            except asyncpg.InterfaceError as exc:
                if not conn.is_closed():
                    raise  # a misuse of the connection, not a lost one
                raise ConnectionResetError(str(exc)) from exc  # an OSError: lost, as below
    except CONNECTION_ERRORS as exc:
        raise DatabaseUnavailable("数据库暂时无法连接，请稍后重试", f"database connection lost: {exc}") from exc


class StatementRefused(InvalidInput):
    """PostgreSQL refused a statement of one item (a constraint, a value out of its column's range)."""


@contextlib.asynccontextmanager
async def savepoint(conn: Connection) -> AsyncIterator[None]:
    """A nested transaction for one item: a statement PostgreSQL refuses undoes the item alone.

    Raises StatementRefused (422, a detail the field user can act on) in place of asyncpg's error.
    """
    try:
        async with conn.transaction():
            yield
    except CONNECTION_ERRORS:
        raise  # the database went away, not this item: the request is answered 503 and sent again
    except asyncpg.PostgresError as exc:
        detail_en = f"database refused the item: {exc.__class__.__name__}"
        raise StatementRefused("该条数据无法保存，请核对后重试", detail_en) from exc
