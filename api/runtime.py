"""Start the embedded servers when no external ones are configured."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import msgspec

from api.settings import Settings, local_jwt_secret
from storage import embedded


@contextlib.contextmanager
def resolved(settings: Settings) -> Iterator[Settings]:
    """Settings with every service URL filled in; embedded ones stop on exit."""
    data_dir = settings.data_dir.resolve()
    database, store, auth = settings.database, settings.object_store, settings.auth
    s3 = None
    if database.url is None:
        database = msgspec.structs.replace(database, url=embedded.start_postgres(data_dir / "postgres"))
    if store.endpoint is None:
        s3 = embedded.start_s3(data_dir / "s3")
        store = msgspec.structs.replace(
            store, endpoint=s3.endpoint, access_key=s3.access_key, secret_key=s3.secret_key, secure=False
        )
    if not auth.jwt_secret:
        auth = msgspec.structs.replace(auth, jwt_secret=local_jwt_secret(data_dir))
    try:
        yield msgspec.structs.replace(settings, database=database, object_store=store, auth=auth)
    finally:
        if s3 is not None:
            s3.stop()
