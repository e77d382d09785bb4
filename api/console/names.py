"""People by name (人员姓名): pages show who did something, never a user id."""

from __future__ import annotations

import uuid

from storage import users
from storage.db import Connection


class NameBook:
    """Display names of users, each looked up once per page."""

    def __init__(self, db: Connection) -> None:
        self.db = db
        self.known: dict[uuid.UUID, str] = {}

    async def name(self, user_id: uuid.UUID | str | None) -> str:
        if user_id is None:
            return ""
        key = uuid.UUID(str(user_id))
        if key not in self.known:
            row = await users.get_user(self.db, id=key)
            self.known[key] = row["display_name"] if row else "（未知用户）"
        return self.known[key]
