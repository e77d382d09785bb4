"""One place that turns every error into an RFC 9457 problem document."""

from __future__ import annotations

import logging
import re
from typing import TypeVar

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)

from mobile_contract.problems import (
    AppError,
    ClientError,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    Problem,
    Unauthenticated,
)

log = logging.getLogger(__name__)
PROBLEM_MEDIA_TYPE = "application/problem+json"
T = TypeVar("T")
_MSGSPEC_PATH = re.compile(r" - at `\$\.?(?P<path>[^`]*)`$")


def problem_response(request: Request, error: AppError) -> Response[Problem]:
    return Response(
        error.to_problem(instance=request.url.path),
        status_code=error.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=error.headers() or None,
    )


def answer(request: Request, outcome: T | AppError, *, status_code: int = 200) -> Response[T]:
    """A refusal that must leave a trace (an audit entry, a throttle count) is returned, not raised:
    the request's transaction then commits it, and the refusal is sent as a problem."""
    if isinstance(outcome, AppError):
        return problem_response(request, outcome)  # type: ignore[return-value]
    return Response(outcome, status_code=status_code)


def field_errors(exc: ValidationException) -> list[FieldError]:
    """Each of Litestar's validation messages as a field error."""
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        message = str(item.get("message", "")) if isinstance(item, dict) else str(item)
        key = str(item.get("key") or "") if isinstance(item, dict) else ""
        errors.append(msgspec_field_error(message, default_field=key))
    return errors


def msgspec_field_error(message: str, *, default_field: str = "") -> FieldError:
    """msgspec's "Expected `int`, got `str` - at `$.gps.lat`" → field + message."""
    match = _MSGSPEC_PATH.search(message)
    return FieldError(field=match["path"] if match else default_field, message=_MSGSPEC_PATH.sub("", message))


def translate(exc: Exception) -> AppError:
    """Framework exceptions → our hierarchy, so clients see one error shape."""
    match exc:
        case AppError():
            return exc
        case ValidationException():
            return InvalidInput(
                "提交的数据格式不正确，请按字段提示修改后重新提交",
                "request failed validation",
                errors=field_errors(exc),
            )
        case NotAuthorizedException():
            return Unauthenticated("请先登录", str(exc.detail))
        case PermissionDeniedException():
            return Forbidden("无权执行此操作", str(exc.detail))
        case NotFoundException():
            return NotFound("请求的资源不存在", str(exc.detail))
        case HTTPException() if exc.status_code == PayloadTooLarge.status:
            return PayloadTooLarge("提交的内容过大，请分批提交（同步每批不超过 1000 条）", str(exc.detail))
        case HTTPException() if exc.status_code < 500:
            error = ClientError(str(exc.detail), str(exc.detail))
            error.status = exc.status_code  # type: ignore[misc]
            return error
    log.exception("unhandled error", exc_info=exc)
    return AppError("服务器内部错误，数据未丢失，请稍后重试", "internal server error")


def handle(request: Request, exc: Exception) -> Response[Problem]:
    return problem_response(request, translate(exc))
