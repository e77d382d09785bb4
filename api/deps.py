"""Dependency providers shared by every domain: the transaction and the caller."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency

from api.auth.guards import principal_of
from api.auth.principal import Principal
from storage.db import Connection, transaction
from storage.objects import ObjectStore


async def provide_db(state: State) -> AsyncGenerator[Connection, None]:
    """One transaction per request: committed when the handler returns, else rolled back."""
    async with transaction(state.pool) as conn:
        yield conn


def provide_principal(request: Request) -> Principal:
    return principal_of(request)


def provide_store(state: State) -> ObjectStore:
    return state.store


# Handler parameter types: Litestar 3 needs dependencies marked explicitly.
Db = NamedDependency[Connection]
Caller = NamedDependency[Principal]
Store = NamedDependency[ObjectStore]
