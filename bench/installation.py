"""A fresh installation for a benchmark: embedded PostgreSQL and S3 on a temporary data folder, migrated."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from api.runtime import resolved
from api.settings import Settings
from storage.migrate import apply_migrations


@contextlib.contextmanager
def fresh_installation(prefix: str) -> Iterator[Settings]:
    """The settings of a new, migrated installation, removed with its servers on leaving."""
    with tempfile.TemporaryDirectory(prefix=prefix) as folder, resolved(Settings(data_dir=Path(folder))) as ready:
        assert ready.database.url is not None
        apply_migrations(ready.database.url)
        yield ready
