"""Fixtures shared by the API domain tests."""

import pytest

from mobile_contract.auth import Role


@pytest.fixture
async def admin(make_user, make_department):
    """An admin in a department of their own, so scoping tests see no admin in theirs."""
    return await make_user(Role.ADMIN, await make_department(), device_id=None)


@pytest.fixture
async def partner(make_user, department):
    """A second inspector of the department: inspections need two officers."""
    return await make_user(Role.INSPECTOR, department)


@pytest.fixture
async def head(make_user, department):
    """The department's supervisor (负责人): files, decides, suspends."""
    return await make_user(Role.SUPERVISOR, department)
