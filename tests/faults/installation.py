"""A served installation as the fault suite uses it: the process, its database, and its people.

People are made through the API as an administrator makes them (an inspector with a registered
handheld, a vision node), and sign in with their password; only the end-state checks read the
database directly, as an examiner would.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import asyncpg
import httpx
import msgspec

from api.auth.passwords import hash_password
from storage import users
from storage.embedded import EmbeddedS3
from tests.api.serving import Served

T = TypeVar("T")
PASSWORD = "fault suite passphrase"


class Person(msgspec.Struct):
    """Someone who signs in: an inspector on a handheld, or a vision node."""

    user_id: uuid.UUID
    username: str
    password: str
    department_id: uuid.UUID
    role: str
    device_id: str | None = None
    certificate_no: str | None = None


class Installation:
    """``enforce serve`` on a data folder of its own, with an administrator."""

    def __init__(self, data_dir: Path, **env: str) -> None:
        self.served = Served(data_dir, **env)
        self.s3: EmbeddedS3 | None = None  # a weed the suite started again after stopping the API's own
        self.department_id, username = self.query(_first_admin)
        answer = httpx.post(f"{self.url}/auth/login", json={"username": username, "password": PASSWORD}, timeout=30)
        assert answer.status_code == 200, answer.text
        self.admin = {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def close(self) -> None:
        self.served.stop()
        if self.s3 is not None:
            self.s3.stop()

    @property
    def url(self) -> str:
        return self.served.url

    @property
    def data_dir(self) -> Path:
        return self.served.data_dir

    def database_url(self) -> str:
        """From the running server's ``postmaster.pid``: its port (line 4) and socket folder (line 5)."""
        lines = (self.data_dir / "postgres" / "postmaster.pid").read_text().splitlines()
        return f"postgresql://postgres@/postgres?host={lines[4]}&port={lines[3]}"

    def query(self, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        """Run ``work`` on a connection of its own to the installation's database (the examiner's view)."""

        async def main() -> T:
            conn = await asyncpg.connect(self.database_url())
            try:
                return await work(conn)
            finally:
                await conn.close()

        return asyncio.run(main())

    def unhandled_errors(self) -> list[str]:
        """The last lines of every error the API logged as unhandled (a 500), for a failing check's message."""
        lines = self.served.log_path.read_text(errors="replace").splitlines()
        entries = [msgspec.json.decode(line) for line in lines if '"unhandled error"' in line]
        return [entry.get("exc_info", "")[-600:] for entry in entries]

    def kill_inside_a_write(self, *, after_s: float = 0.0, timeout_s: float = 120) -> float:
        """SIGKILL the API once a writing transaction of its is open (+ ``after_s``); seconds waited for one."""
        started = time.monotonic()
        self.query(lambda conn: _until_a_write_is_open(conn, timeout_s))
        time.sleep(after_s)
        self.served.kill()
        return time.monotonic() - started

    def enrol(self, role: str, *, handheld: bool = False) -> Person:
        """A new user of the administrator's department (an inspector also gets a registered handheld)."""
        suffix = uuid.uuid4().hex[:8]
        body = {
            "username": f"{role}-{suffix}",
            "display_name": f"测试{suffix}",
            "password": PASSWORD,
            "role": role,
            "department_id": str(self.department_id),
        }
        if role == "inspector":
            body["certificate_no"] = f"C{suffix}"
        made = self._post("/users", body)
        device_id = f"DEV-{suffix}" if handheld else None
        if device_id:
            self._post("/devices", {"id": device_id, "user_id": made["id"], "label": "fault suite handheld"})
        return Person(
            uuid.UUID(made["id"]),
            body["username"],
            PASSWORD,
            self.department_id,
            role,
            device_id,
            body.get("certificate_no"),
        )

    def _post(self, path: str, body: dict) -> dict:
        answer = httpx.post(f"{self.url}{path}", json=body, headers=self.admin, timeout=30)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()


async def _until_a_write_is_open(conn: asyncpg.Connection, timeout_s: float) -> None:
    """Poll until another session holds a transaction id (it wrote or locked a row and has not ended)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
        ):
            return
        await asyncio.sleep(0.002)
    raise TimeoutError("no writing transaction opened")


async def _first_admin(conn: asyncpg.Connection) -> tuple[uuid.UUID, str]:
    """A department and its administrator, made as ``enforce admin`` makes them (without two processes)."""
    department_id, user_id = uuid.uuid4(), uuid.uuid4()
    await users.create_department(conn, id=department_id, code="FAULTS", name="故障测试局", region_code="360102")
    await users.create_user(
        conn,
        id=user_id,
        username="fault-admin",
        display_name="管理员",
        role="admin",
        password_hash=hash_password(PASSWORD),
        department_id=department_id,
        region_code="360102",
        certificate_no=None,
    )
    return department_id, "fault-admin"
