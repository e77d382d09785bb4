"""Issue 12, security 11: a token whose claims cannot be trusted is a 401, never a 500."""

from __future__ import annotations

import jwt
import pytest

from mobile_contract.auth import Role
from tests.api.auth.forgeries import claims_of, forgeries

NAMES = sorted(forgeries("x"))


@pytest.mark.parametrize("forgery", NAMES)
async def test_a_forged_or_broken_token_is_refused_with_401(client, settings, make_user, department, forgery) -> None:
    caller = await make_user(Role.SUPERVISOR, department)
    token = forgeries(settings.auth.jwt_secret)[forgery](caller)

    answer = await client.get("/users/me", headers={"Authorization": f"Bearer {token}"})

    assert answer.status_code == 401, answer.text
    expected = "token-expired" if forgery == "expired" else "unauthenticated"
    assert (answer.json()["code"], answer.headers["content-type"]) == (expected, "application/problem+json")


async def test_the_untouched_claims_are_accepted(client, settings, make_user, department) -> None:
    """The forgeries start from a token that works: each is refused for what was changed, not by accident."""
    caller = await make_user(Role.SUPERVISOR, department)
    token = jwt.encode(claims_of(caller), settings.auth.jwt_secret, algorithm="HS256")

    assert (await client.get("/users/me", headers={"Authorization": f"Bearer {token}"})).status_code == 200
