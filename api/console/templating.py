"""Rendering pages (页面渲染): one Jinja environment with autoescape, Chinese labels and local time.

Every value a template prints is HTML-escaped unless a template says otherwise (none does), so a
party or site name containing markup is shown as text. Times are shown in China Standard Time
(Asia/Shanghai), never UTC.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import jinja2
import msgspec
from litestar import Request, Response
from litestar.enums import MediaType

from api.auth.browser import BrowserSession
from api.console import assets
from api.console.desk_labels import zh
from api.console.labels import label
from api.console.security import page_headers

LOCAL_ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
TEMPLATES = assets.HERE / "templates"


def local_time(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """A moment as a wall clock in China reads it; naive values are taken as UTC."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(LOCAL_ZONE).strftime(fmt)


def number(value: float | int | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


ENVIRONMENT = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENVIRONMENT.filters.update(local_time=local_time, label=label, zh=zh, number=number, to_builtins=msgspec.to_builtins)
ENVIRONMENT.globals.update(asset=assets.own_url, vendor=assets.vendor_url)


def session_of(request: Request) -> BrowserSession | None:
    session = request.scope.get("auth")
    return session if isinstance(session, BrowserSession) else None


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> Response[str]:
    """A page: the template with the signed-in user, the navigation their role may use, and the CSRF token."""
    session = session_of(request)
    html = ENVIRONMENT.get_template(template).render(
        session=session,
        csrf_token=session.csrf_token if session else "",
        navigation=navigation(request, session),
        path=request.url.path,
        **context,
    )
    store = request.app.state.settings.object_store
    return Response(html, status_code=status, media_type=MediaType.HTML, headers=page_headers(store))


def navigation(request: Request, session: BrowserSession | None) -> list[tuple[str, str]]:
    """(label, path) of each page with a menu entry whose guard admits the user's role."""
    if session is None:
        return []
    entries = request.app.state.console_navigation
    return [(entry.label, entry.path) for entry in entries if session.principal.role in entry.roles]
