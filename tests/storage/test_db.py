"""The connection pool stays on its own event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest

from api.settings import Settings
from storage.db import create_pool

pytestmark = pytest.mark.integration
T = TypeVar("T")


async def test_a_pool_refuses_an_event_loop_other_than_its_own(settings: Settings) -> None:
    """A test once drove the session app from its own loop: full runs crashed now and then (exit 139)."""
    assert settings.database.url is not None
    home = asyncio.new_event_loop()
    thread = threading.Thread(target=home.run_forever, daemon=True)
    thread.start()

    def on_home(step: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(step, home).result(30)

    try:
        pool = on_home(create_pool(settings.database.url, min_size=1, max_size=1))
        with pytest.raises(RuntimeError, match="another event loop"):
            async with pool.acquire() as connection:
                await asyncio.wait_for(connection.fetchval("SELECT 1"), 5)
        assert on_home(pool.fetchval("SELECT 1")) == 1  # its own loop is served as before
        on_home(pool.close())
    finally:
        home.call_soon_threadsafe(home.stop)
        thread.join(10)
        home.close()
