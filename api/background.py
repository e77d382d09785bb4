"""Work that runs beside the app while it serves (后台任务): started with it, cancelled when it stops."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Coroutine
from typing import Any


@contextlib.asynccontextmanager
async def background(job: Coroutine[Any, Any, None] | None) -> AsyncIterator[None]:
    """Run ``job`` as a task for the duration of the block (nothing for None), then cancel it."""
    task = asyncio.create_task(job) if job is not None else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
