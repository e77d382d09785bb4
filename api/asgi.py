"""ASGI entry for uvicorn workers: ``uvicorn --factory api.asgi:create``.

Every setting comes from the environment (``enforce serve`` exports the resolved ones, embedded
servers included, before starting its workers).
"""

from __future__ import annotations

from litestar import Litestar

from api.app import create_app
from api.settings import load_settings


def create() -> Litestar:
    return create_app(load_settings())
