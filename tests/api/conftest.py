"""Fixtures shared by the API domain tests."""

import pytest

from mobile_contract.auth import Role


@pytest.fixture
async def admin(make_user, make_department):
    """An admin in a department of their own, so scoping tests see no admin in theirs."""
    return await make_user(Role.ADMIN, await make_department(), device_id=None)
