"""Pins the procedure's date (see tests/api/cases/support.py); partner and head come from tests/api/conftest.py."""

from tests.api.cases.support import pinned_today  # noqa: F401
