"""Pins the procedure's date for these tests (see tests/api/cases/support.py)."""

from tests.api.cases.support import pinned_today  # noqa: F401
