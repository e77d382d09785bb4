"""Forged and broken access tokens, each with what it tries (used by the token tests and the examination).

Before issue 12, a correctly signed token with an unknown role, or without a ``name`` claim,
was answered 500.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import Callable

import jwt

from api.auth.tokens import ALGORITHM, ISSUER
from tests.conftest import Caller

Claims = dict[str, object]


def claims_of(caller: Caller, **changes: object) -> Claims:
    """The claims a real token of ``caller`` carries (fresh times), with ``changes``; None removes a claim."""
    p, now = caller.principal, dt.datetime.now(dt.UTC)
    claims: Claims = {
        "iss": ISSUER, "sub": str(p.user_id), "iat": now, "exp": now + dt.timedelta(minutes=10), "name": p.username,
        "role": p.role.value, "dept": str(p.department_id), "region": p.region_code, "sid": str(p.sign_in_id),
        "ver": p.token_version, "dev": p.device_id,
    }  # fmt: skip
    claims |= changes
    return {k: v for k, v in claims.items() if v is not None}


def unsigned(claims: Claims) -> str:
    """``alg: none``: no signature at all."""
    part = lambda obj: base64.urlsafe_b64encode(json.dumps(obj, default=str).encode()).rstrip(b"=").decode()  # noqa: E731
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def forgeries(secret: str) -> dict[str, Callable[[Caller], str]]:
    """Name → a token for the caller that must be refused with 401."""
    signed = lambda claims, key=secret, alg=ALGORITHM: jwt.encode(claims, key, algorithm=alg)  # noqa: E731
    past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    missing = {f"missing {claim}": (lambda c, claim=claim: signed(claims_of(c, **{claim: None})))
               for claim in ("sub", "name", "role", "dept", "region", "sid", "iss", "iat", "exp")}  # fmt: skip
    return {
        "wrong signature": lambda c: signed(claims_of(c), key="not-the-secret-" + "x" * 32),
        "alg none": lambda c: unsigned(claims_of(c)),
        "alg HS512 with the right key": lambda c: signed(claims_of(c), alg="HS512"),
        "expired": lambda c: signed(claims_of(c, iat=past - dt.timedelta(hours=1), exp=past)),
        "not yet valid": lambda c: signed(claims_of(c, nbf=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))),
        "wrong issuer": lambda c: signed(claims_of(c, iss="someone-else")),
        "unknown role": lambda c: signed(claims_of(c, role="superuser")),
        "role not a string": lambda c: signed(claims_of(c, role=["admin"])),
        "sub not a uuid": lambda c: signed(claims_of(c, sub="admin")),
        "dept not a uuid": lambda c: signed(claims_of(c, dept="all")),
        "sid not a uuid": lambda c: signed(claims_of(c, sid=12)),
        "version not a number": lambda c: signed(claims_of(c, ver="latest")),
        "name not a string": lambda c: signed(claims_of(c, name={"$ne": ""})),
        "a sign-in that never was ended, of a user that never was": lambda c: signed(
            claims_of(c, sub=str(uuid.uuid4()), role="superuser")
        ),
        "not a jwt": lambda c: "not-a-token",
        "two parts": lambda c: ".".join(signed(claims_of(c)).split(".")[:2]),
        "payload not json": lambda c: "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln",
        **missing,
    }
