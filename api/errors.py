"""One place that turns every error into an RFC 9457 problem document."""

from __future__ import annotations

import logging
import re
from typing import Any, TypeVar

import asyncpg
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)

from api.body import unreadable
from api.observability.requests import PROBLEM_CODE
from mobile_contract.messages import decoded, field_error
from mobile_contract.problem_codes import ProblemCode
from mobile_contract.problems import (
    AppError,
    ClientError,
    FieldError,
    Forbidden,
    InvalidInput,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    Problem,
    Unauthenticated,
)

log = logging.getLogger(__name__)
PROBLEM_MEDIA_TYPE = "application/problem+json"
T = TypeVar("T")


def problem_response(request: Request, error: AppError) -> Response[Problem]:
    request.scope[PROBLEM_CODE] = error.instance_code  # type: ignore[literal-required]  # counted per route
    return Response(
        error.to_problem(instance=request.url.path),
        status_code=error.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=error.headers() or None,
    )


def answer(request: Request, outcome: T | AppError, *, status_code: int = 200) -> Response[Any]:
    """A refusal that must leave a trace (an audit entry, a throttle count) is returned, not raised:
    the request's transaction then commits it, and the refusal is sent as a problem."""
    if isinstance(outcome, AppError):
        return problem_response(request, outcome)
    return Response(outcome, status_code=status_code)


def field_errors(exc: ValidationException, request: Request | None = None) -> list[FieldError]:
    """Each of Litestar's validation messages as a Chinese field error (``mobile_contract.messages``).

    An error in the body is followed through the route's body type (and the body sent, for tagged
    unions), so it names the exact field and, for an enum, what is allowed.
    """
    root, raw = _body_of(request)
    if missing := MISSING_PARAMETER.match(str(exc.detail)):  # Litestar says it in its detail, with no extra
        return [FieldError(missing["name"], f"必须填写（{PARAMETER_KINDS.get(missing['kind'], '参数')}）")]
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        message = str(item.get("message", "")) if isinstance(item, dict) else str(item)
        key = str(item.get("key") or "") if isinstance(item, dict) else ""
        in_body = not key or (isinstance(item, dict) and item.get("source") == "body")
        key = "" if key == "data" else key  # the handler's parameter, not a field of the body
        if in_body:
            errors.append(field_error(_parameter_message(message, key), root=root, raw=raw, default_field=key))
            continue
        name, kind = _parameter(request, key)
        errors.append(field_error(_parameter_message(message, name), leaf=kind, default_field=name))
    return errors


def _body_of(request: Request | None) -> tuple[Any, Any]:
    """The route's body type and the body sent (as plain JSON), when there is one."""
    data = _parameters(request).get("data")
    if request is None or data is None:
        return None, None
    # what Litestar read (kept on its connection state; Empty if nothing was): the handler cannot await
    body = getattr(getattr(request, "_connection_state", None), "body", None)
    return data.annotation, decoded(body if isinstance(body, bytes) else None)


def _parameter(request: Request | None, key: str) -> tuple[str, Any]:
    """The name a client sends a query, path or header parameter by, and its type (for an enum's choices)."""
    for param, field in _parameters(request).items():
        alias = getattr(field.kwarg_definition, "name", None) or param
        if key in (param, alias):
            return alias, field.annotation
    return key, None


def _parameters(request: Request | None) -> dict[str, Any]:
    try:
        return dict(request.route_handler.parsed_fn_signature.parameters) if request is not None else {}
    except (AttributeError, KeyError):  # not routed (404, 405)
        return {}


def _parameter_message(message: str, key: str) -> str:
    """Litestar's own words for a missing parameter, as msgspec's (then said in Chinese)."""
    if message.startswith("Missing required") and key:
        return f"Object missing required field `{key}`"
    return message


def msgspec_field_error(message: str, *, default_field: str = "", root: Any = None, raw: Any = None) -> FieldError:
    """msgspec's "Expected `int`, got `str` - at `$.gps.lat`" → the field and a Chinese message."""
    return field_error(message, root=root, raw=raw, default_field=default_field)


def translate(exc: Exception, request: Request | None = None) -> AppError:
    """Framework exceptions → our hierarchy, so clients see one error shape."""
    match exc:
        case AppError():
            return exc
        case ExceptionGroup() if len(exc.exceptions) == 1:
            # Litestar's wrapping of an error raised while a dependency closes, e.g. the request's transaction
            # translating a lost database connection into DatabaseUnavailable
            return translate(exc.exceptions[0])
        case ValidationException():
            return InvalidInput(
                "提交的数据格式不正确，请按字段提示修改后重新提交",
                "request failed validation",
                errors=field_errors(exc, request),
            )
        case NotAuthorizedException():
            return Unauthenticated("请先登录", str(exc.detail))
        case PermissionDeniedException():
            return Forbidden("无权执行此操作", str(exc.detail))
        case UnicodeDecodeError():  # Litestar decoding a form field or file name that is not UTF-8
            return unreadable(exc)
        case asyncpg.CharacterNotInRepertoireError():  # PostgreSQL text cannot hold U+0000
            return InvalidInput("提交的文字中含有空字符，无法保存，请删除后重新提交", "text with U+0000")
        case NotFoundException():
            return NotFound("请求的资源不存在，请检查地址", str(exc.detail))
        case HTTPException() if exc.status_code == PayloadTooLarge.status:
            return PayloadTooLarge("提交的内容过大，请分批提交（同步每批不超过 1000 条）", str(exc.detail))
        case MethodNotAllowedException():
            return _method_not_allowed(exc, request)
        case HTTPException() if exc.status_code < 500:
            words = STATUS_WORDS.get(exc.status_code, f"请求无法处理（HTTP {exc.status_code}），请检查后重试")
            error = ClientError(words, str(exc.detail), code=STATUS_CODES.get(exc.status_code))
            error.status = exc.status_code  # type: ignore[misc]  # a class attribute; this one error keeps the framework's
            return error
    log.exception("unhandled error", exc_info=exc)
    return AppError("服务器内部错误，数据未丢失，请稍后重试", "internal server error")


MISSING_PARAMETER = re.compile(r"Missing required (?P<kind>\w+) parameter '(?P<name>[^']+)'")
PARAMETER_KINDS = {"query": "查询参数", "header": "请求头", "cookie": "Cookie", "path": "路径参数"}
STATUS_WORDS = {
    400: "请求格式不正确，请检查后重新提交",
    415: "提交的内容类型不受支持，请以 application/json 提交",
}
STATUS_CODES = {415: ProblemCode.UNSUPPORTED_MEDIA_TYPE}


def _method_not_allowed(exc: MethodNotAllowedException, request: Request | None) -> MethodNotAllowed:
    allowed = sorted(m.strip() for m in (exc.headers or {}).get("allow", "").split(",") if m.strip())
    method = request.method if request is not None else ""
    return MethodNotAllowed(
        f"该地址不支持 {method} 请求，可用：{'、'.join(allowed) or '无'}",
        f"{method} is not allowed here; allowed: {', '.join(allowed)}",
        extra={"allowed": allowed},
    )


def handle(request: Request, exc: Exception) -> Response[Problem]:
    return problem_response(request, translate(exc, request))
