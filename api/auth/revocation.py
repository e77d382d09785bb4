"""Revocation (令牌即时失效): an access token stops working the moment its sign-in ends.

A token is refused when its sign-in (``Principal.sign_in_id``, the refresh-token family) has
ended — sign-out, refresh-token reuse, handheld revoked or re-bound, password change,
deactivation — or when its ``token_version`` is below the user's, which a change of role,
department, region, password or active flag raises (triggers of migration 0050).

Cheap: each API process keeps in memory the sign-ins ended within one access-token lifetime
and the users whose version was ever raised. PostgreSQL announces each change when the
changing transaction commits (``NOTIFY token_revocations``) to one listening connection per
process, which applies it. A check is then two dictionary look-ups, no query.

Consistency across processes (several uvicorn workers, several hosts):

- The announcement goes to every listening process at the commit, not after a delay; a
  process applies it as soon as its event loop reads it (on loopback, well under a
  millisecond; ``bench/revocation.py`` prints the delay it measured). The request that
  revoked is answered after its commit, so a client that sends its next request after
  that answer meets the revocation in any process unless it beats the notification by
  that margin.
- A process trusts its memory only while it knows its listener is connected: a heartbeat
  query on the listening connection every ``HEARTBEAT_S``; a heartbeat that succeeds proves
  every notification committed before it was delivered. The memory is trusted until
  ``TRUST_S`` after the last heartbeat, and not at all once the connection reports it was
  lost. Without trust, each request asks the database (one query) until the listener has
  reconnected, listened again and reloaded — so a dead listener costs speed, never safety.
  A listener that dies *silently* (a half-open TCP connection) can miss announcements for
  at most ``TRUST_S``.
- Listen first, then load: a change committed while loading arrives as a notification and
  is merged, so nothing falls between the two.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator

import asyncpg

from api.auth.principal import Principal
from mobile_contract.problems import Unauthenticated
from storage import sessions, users
from storage.db import acquired

log = logging.getLogger(__name__)
HEARTBEAT_S = 1.0
TRUST_S = 2.5  # memory trusted this long after the last heartbeat that succeeded
RECONNECT_S = 1.0
KEEP_MARGIN_S = 60  # ended sign-ins are kept this long past the token lifetime (clock skew)


def sign_in_ended() -> Unauthenticated:
    return Unauthenticated(
        "本次登录已结束（已退出、终端已停用或改绑、密码已修改或账号已停用），请重新登录",
        "the sign-in this token belongs to has ended",
        code="sign-in-ended",
    )


def token_outdated() -> Unauthenticated:
    return Unauthenticated(
        "账号的角色、所属机构或状态已变更，请刷新令牌（或重新登录）",
        "the account changed after this token was issued",
        code="token-expired",
    )


def refusal(principal: Principal, *, ended: bool, version: int) -> Unauthenticated | None:
    if ended:
        return sign_in_ended()
    return token_outdated() if principal.token_version < version else None


class Revocations:
    """One process's view of ended sign-ins and raised token versions, kept current by ``listen``."""

    def __init__(self, *, token_ttl_s: int) -> None:
        self.keep_s = token_ttl_s + KEEP_MARGIN_S
        self.ended: dict[uuid.UUID, float] = {}  # sign-in → when it ended (epoch seconds)
        self.versions: dict[uuid.UUID, int] = {}  # user → token version, when above 0
        self.trusted_until = 0.0  # time.monotonic(); 0: ask the database
        self.loaded = asyncio.Event()  # set once the first load is in and trusted
        self.listener_pid: int | None = None  # the listening connection's server process, for diagnosis

    @property
    def trusted(self) -> bool:
        return time.monotonic() < self.trusted_until

    async def check(self, principal: Principal, pool: asyncpg.Pool) -> None:
        """Raise 401 if the token no longer stands; from memory when trusted, else one query."""
        assert principal.sign_in_id is not None  # every decoded token names its sign-in
        if self.trusted:
            ended = principal.sign_in_id in self.ended
            version = self.versions.get(principal.user_id, 0)
        else:
            async with acquired(pool) as conn:
                row = await sessions.token_standing(conn, user_id=principal.user_id, family_id=principal.sign_in_id)
            ended, version = row["ended"], row["token_version"]
        if (refused := refusal(principal, ended=ended, version=version)) is not None:
            raise refused

    def apply(self, payload: str) -> None:
        """One announcement: ``sign_in:<family id>`` or ``user:<user id>:<version>``."""
        kind, _, rest = payload.partition(":")
        if kind == "sign_in":
            self.ended[uuid.UUID(rest)] = time.time()
        elif kind == "user":
            user_id, _, version = rest.partition(":")
            self.raise_version(uuid.UUID(user_id), int(version))

    def raise_version(self, user_id: uuid.UUID, version: int) -> None:
        self.versions[user_id] = max(version, self.versions.get(user_id, 0))

    async def load(self, conn: asyncpg.Connection) -> None:
        for row in await sessions.ended_sign_ins(conn, within_s=self.keep_s):
            self.ended.setdefault(row["family_id"], row["ended_at"].timestamp())
        for row in await users.raised_token_versions(conn):
            self.raise_version(row["id"], row["token_version"])

    def forget_expired(self) -> None:
        """Tokens of a sign-in ended longer ago than a token lives have expired by themselves."""
        horizon = time.time() - self.keep_s
        for sign_in in [s for s, at in self.ended.items() if at < horizon]:
            del self.ended[sign_in]

    async def listen(self, dsn: str) -> None:
        """Keep a listening connection for the life of the process (run as a task; cancel to stop)."""
        while True:
            try:
                await self._listen_once(dsn)
            except Exception as exc:  # whatever ended it, the listener must come back
                log.warning("token revocation listener lost (%r); checking tokens in the database meanwhile", exc)
            self.trusted_until = 0.0
            await asyncio.sleep(RECONNECT_S)

    async def _listen_once(self, dsn: str) -> None:
        conn = await asyncpg.connect(dsn, timeout=10)
        try:
            self.listener_pid = conn.get_server_pid()
            conn.add_termination_listener(self._distrust)
            await conn.add_listener(sessions.REVOCATION_CHANNEL, self._on_notify)
            await self.load(conn)  # a round trip after LISTEN, as good as a heartbeat
            while True:
                self.trusted_until = time.monotonic() + TRUST_S
                self.loaded.set()
                self.forget_expired()
                await asyncio.sleep(HEARTBEAT_S)
                await conn.fetchval("SELECT 1", timeout=5)  # a slow answer only lapses trust (TRUST_S)
        finally:
            self.trusted_until = 0.0
            conn.terminate()  # a listener has nothing to finish; closes at once, even while cancelled

    def _distrust(self, _conn: object) -> None:
        self.trusted_until = 0.0

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        self.apply(str(payload))  # NOTIFY payloads are text


@contextlib.asynccontextmanager
async def kept_current(dsn: str, *, token_ttl_s: int, wait_s: float = 5.0) -> AsyncIterator[Revocations]:
    """Revocations with their listener running; waits up to ``wait_s`` for the first load."""
    revocations = Revocations(token_ttl_s=token_ttl_s)
    listener = asyncio.create_task(revocations.listen(dsn), name="token-revocation-listener")
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(revocations.loaded.wait(), wait_s)  # else: start answering from the database
    try:
        yield revocations
    finally:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listener
