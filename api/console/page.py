"""What every console page shares: the controller base, its error pages and the menu.

A page controller subclasses ``PageController`` in ``api/<domain>/pages.py`` and declares the same
guard as the domain's API route for the same data (``requires(*READERS)`` …). Errors become pages:
a visitor who is not signed in (or whose session ended) is sent to the sign-in page and back; any
other refusal is shown in Chinese with its status. A script that asks for JSON gets the problem
document instead, as from the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import msgspec
from litestar import Controller, Litestar, Request, Response
from litestar.response import Redirect
from litestar.types import ExceptionHandlersMap

from api import errors
from api.console.templating import render
from mobile_contract.auth import Role
from mobile_contract.problems import Unauthenticated

SIGN_IN_PATH = "/"
PAGE = "console_page"  # the ``opt`` key that marks a console page (an HTML answer, not the API's JSON)


class MenuEntry(msgspec.Struct, frozen=True):
    """A page in the console's menu, shown to the roles its guard admits."""

    label: str
    path: str
    roles: frozenset[Role]
    order: int


def menu(label: str, order: int) -> dict[str, Any]:
    """A page handler's ``opt`` that puts it in the menu."""
    return {"menu": (label, order)}


def wants_json(request: Request) -> bool:
    return "json" in request.headers.get("accept", "")


def local_path(target: str | None, default: str) -> str:
    """``target`` if it is a path on this site (never another host), else ``default``."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def page_error(request: Request, exc: Exception) -> Response:
    error = errors.translate(exc)
    if wants_json(request):
        return errors.problem_response(request, error)
    if isinstance(error, Unauthenticated) and request.method == "GET":
        return Redirect(f"{SIGN_IN_PATH}?next={quote(request.url.path)}", status_code=303)
    return render(request, "console/error.html", status=error.status, error=error)


class PageController(Controller):
    """Base of console pages: out of the OpenAPI document, errors shown as pages."""

    include_in_schema = False
    opt: Mapping[str, object] = {PAGE: True}
    exception_handlers: ExceptionHandlersMap = {Exception: page_error}  # noqa: RUF012 (litestar's type; never changed)


def collect_menu(app: Litestar) -> list[MenuEntry]:
    """Menu entries from the routes themselves, so a menu never offers a page its guard refuses."""
    entries = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if "menu" in handler.opt:
                roles = frozenset().union(*(getattr(g, "roles", ()) for g in handler.resolve_guards()))
                label, order = handler.opt["menu"]
                entries.append(MenuEntry(label=label, path=route.path, roles=roles, order=order))
    return sorted(entries, key=lambda e: e.order)
