"""Pins the procedure's date for these tests (see tests/api/cases/support.py); a second inspector and a head."""

import pytest

from mobile_contract.auth import Role
from tests.api.cases.support import pinned_today  # noqa: F401


@pytest.fixture
async def partner(make_user, department):
    return await make_user(Role.INSPECTOR, department)


@pytest.fixture
async def head(make_user, department):
    return await make_user(Role.SUPERVISOR, department)
