"""Throttling of sign-in and the public complaint entrances (登录与公开入口限流), as admins and supervisors read it."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated

import msgspec
from msgspec import Meta


class ThrottleScope(enum.StrEnum):
    """限流对象 / what a counter counts."""

    SIGN_IN_ADDRESS = "sign_in_address"  # 同一地址的登录失败
    SIGN_IN_ACCOUNT = "sign_in_account"  # 同一用户名的登录失败（无论来自何处）
    LOOKUP_ADDRESS = "lookup_address"  # 同一地址以无效查询码查询投诉进度
    SUBMIT_ADDRESS = "submit_address"  # 同一地址提交投诉举报


class ThrottleCounterRead(msgspec.Struct):
    """限流计数 / a subject that waits: a client address, or a username exactly as typed.

    A username is listed whether or not such an account exists (the API does not tell).
    """

    scope: ThrottleScope
    subject: Annotated[str, Meta(description="客户端地址或用户名 / client address or username")]
    events: Annotated[int, Meta(description="本窗口内失败（或提交）次数 / failures (or submissions) in the window")]
    window_started_at: dt.datetime
    wait_until: Annotated[dt.datetime | None, Meta(description="退避等待至 / back-off until")] = None
    locked_until: Annotated[dt.datetime | None, Meta(description="账号锁定至（可由管理员解除）/ locked until")] = None


class ThrottleRefusalRead(msgspec.Struct):
    """被限流拒绝的请求，按地址和分钟合计 / refused requests of one address in one minute."""

    minute: dt.datetime
    scope: ThrottleScope
    address: str
    refused: int
