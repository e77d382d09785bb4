"""Sign-in and sign-out pages (登录、退出): the console's entry at ``/``.

Signing in goes through ``api.auth.service.sign_in``, the handhelds' own path, so the same password
check, refusals and audit entries apply; the browser keeps the sign-in in an HttpOnly cookie
(``api.auth.browser``). The sign-in form has no session yet, so it is protected against login CSRF by
a double-submit token: a random value in a SameSite=Strict cookie and in the form must agree.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.datastructures import Cookie, State
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Redirect

from api.auth import browser, csrf, service
from api.auth.guards import HUMAN_ROLES, requires
from api.console.page import PAGE, PageController, local_path
from api.console.templating import render
from api.deps import Db
from api.throttling.address import client_address
from mobile_contract.auth import LoginRequest
from mobile_contract.problems import AppError

HOME = "/console/alerts"
SIGN_IN_COOKIE = "enforce_sign_in"


class SignInForm(msgspec.Struct):
    username: str = ""
    password: str = ""
    device_id: str = ""
    next: str = ""
    csrf: str = msgspec.field(default="", name="_csrf")


def is_tls(request: Request) -> bool:
    return request.url.scheme == "https"


def sign_in_page(
    request: Request,
    *,
    next_path: str,
    error: AppError | None = None,
    status: int = 200,
    form: SignInForm | None = None,
) -> Response:
    """The form (as filled, but the password), with a fresh double-submit token in the page and in a cookie."""
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "console/sign_in.html",
        status=status,
        error=error,
        next_path=next_path,
        sign_in_token=token,
        form=form or SignInForm(),
    )
    cookie = Cookie(key=SIGN_IN_COOKIE, value=token, path="/", httponly=True, secure=is_tls(request), samesite="strict")
    response.set_cookie(cookie)
    return response


class SignInController(PageController):
    path = "/"
    opt: Mapping[str, object] = {PAGE: True, "public": True}

    @get("/", summary="登录页 / sign-in page")
    async def page(self, request: Request, state: State, next: Annotated[str, QueryParameter()] = "") -> Response:
        target = local_path(next, HOME)
        secret = browser.cookie_secret(request)
        if secret and await browser.resolve(state.pool, secret, server_secret=state.settings.auth.jwt_secret):
            return Redirect(target, status_code=303)
        return sign_in_page(request, next_path=target)

    @post("/sign-in", summary="登录 / sign in")
    async def sign_in(
        self,
        request: Request,
        db: Db,
        state: State,
        data: Annotated[SignInForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response:
        target = local_path(data.next, HOME)
        expected = request.cookies.get(SIGN_IN_COOKIE, "")
        if not expected or not hmac.compare_digest(expected.encode(), data.csrf.encode()):
            return sign_in_page(request, next_path=target, error=csrf.refused(), status=403)
        outcome = await _sign_in(db, data, state, address=client_address(request))
        if isinstance(outcome, AppError):
            return sign_in_page(request, next_path=target, error=outcome, status=outcome.status, form=data)
        response = Redirect(target, status_code=303)
        response.set_cookie(browser.session_cookie(outcome, secure=is_tls(request)))
        response.delete_cookie(SIGN_IN_COOKIE, path="/")
        return response


class SignOutController(PageController):
    path = "/sign-out"

    @post("/", guards=[requires(*HUMAN_ROLES)], summary="退出 / sign out")
    async def sign_out(self, request: Request, db: Db) -> Response:
        secret = browser.cookie_secret(request)
        if secret:
            await service.sign_out(db, secret)
        response = Redirect("/", status_code=303)
        for cookie in browser.expired_cookies():
            response.set_cookie(cookie)
        return response


async def _sign_in(db: Db, form: SignInForm, state: State, *, address: str) -> str | AppError:
    """The refresh token of a new sign-in, or why not."""
    fields: dict[str, Any] = {"username": form.username.strip(), "password": form.password}
    if form.device_id.strip():
        fields["device_id"] = form.device_id.strip()
    try:
        request = msgspec.convert(fields, LoginRequest)
    except msgspec.ValidationError:
        return service.bad_credentials()
    settings = state.settings
    outcome = await service.sign_in(db, request, auth=settings.auth, throttle=settings.throttle, address=address)
    return outcome if isinstance(outcome, AppError) else outcome.refresh_token
