"""Errors the API reports, as RFC 9457 problem details.

Hierarchy (each class carries its HTTP status and a stable ``code`` that
clients switch on; the wording may change, the code never does)::

    AppError
    ├── ClientError                 4xx: the request must change
    │   ├── InvalidInput            422 invalid-input
    │   ├── Unauthenticated         401 unauthenticated
    │   ├── Forbidden               403 forbidden
    │   ├── NotFound                404 not-found
    │   ├── Gone                    410 gone
    │   ├── MethodNotAllowed        405 method-not-allowed (with Allow)
    │   ├── Conflict                409 conflict (and more specific codes)
    │   │   └── InvalidTransition   409 invalid-transition
    │   ├── PayloadTooLarge         413 body-too-large
    │   ├── UnsupportedEncoding     415 unsupported-content-encoding (with Accept-Encoding)
    │   ├── RangeNotSatisfiable     416 range-not-satisfiable (with Content-Range)
    │   └── TooManyRequests         429 too-many-requests (with Retry-After)
    └── UpstreamError               5xx: retry later, nothing was lost
        ├── DatabaseUnavailable     503 database-unavailable
        └── ObjectStoreError        503 object-store-unavailable

Each error has a Chinese message for the inspector (``detail``) and an
English one (``detail_en``) for logs and integrators.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

import msgspec

from mobile_contract.problem_codes import ProblemCode

PROBLEM_BASE = "/problems/"


class FieldError(msgspec.Struct, frozen=True):
    """One invalid field: where it is and what is wrong (字段错误)."""

    field: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details, with our ``code`` and bilingual detail."""

    type: str
    title: str
    status: int
    code: ProblemCode  # every code, listed in the OpenAPI document (docs/problems.md explains each)
    detail: str
    detail_en: str = ""
    instance: str | None = None
    errors: list[FieldError] = []
    extra: dict[str, Any] = {}


class AppError(Exception):
    """Base of every error the API turns into a problem document."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal error"
    retry_after_s: int | None = None  # sent as Retry-After when set: by a class, or per error (throttling)

    def __init__(
        self,
        detail: str,
        detail_en: str = "",
        *,
        code: str | None = None,
        errors: list[FieldError] | None = None,
        extra: dict[str, Any] | None = None,
        retry_after_s: int | None = None,
    ) -> None:
        super().__init__(detail_en or detail)
        self.detail = detail
        self.detail_en = detail_en
        self.instance_code = code or self.code
        self.errors = errors or []
        self.extra = extra or {}
        if retry_after_s is not None:
            self.retry_after_s = retry_after_s

    def headers(self) -> dict[str, str]:
        """Response headers the problem needs besides its document."""
        return {} if self.retry_after_s is None else {"Retry-After": str(self.retry_after_s)}

    def to_problem(self, instance: str | None = None) -> Problem:
        return Problem(
            type=PROBLEM_BASE + self.instance_code,
            title=self.title,
            status=self.status,
            # registered, as tests/mobile_contract/test_problem_codes.py checks: never a 500 for a code
            code=cast(ProblemCode, self.instance_code),
            detail=self.detail,
            detail_en=self.detail_en,
            instance=instance,
            errors=self.errors,
            extra=self.extra,
        )


class ClientError(AppError):
    status = 400
    code = "bad-request"
    title = "Bad request"


class InvalidInput(ClientError):
    status = 422
    code = "invalid-input"
    title = "Invalid input"


class Unauthenticated(ClientError):
    status = 401
    code = "unauthenticated"
    title = "Not signed in"


class Forbidden(ClientError):
    status = 403
    code = "forbidden"
    title = "Not allowed"


class NotFound(ClientError):
    status = 404
    code = "not-found"
    title = "Not found"


class MethodNotAllowed(ClientError):
    status = 405
    code = "method-not-allowed"
    title = "Method not allowed"

    def headers(self) -> dict[str, str]:
        return super().headers() | {"Allow": ", ".join(self.extra.get("allowed", []))}  # RFC 9110 §15.5.6


class Gone(ClientError):
    status = 410
    code = "gone"
    title = "No longer available"


class Conflict(ClientError):
    status = 409
    code = "conflict"
    title = "Conflict"


class InvalidTransition(Conflict):
    code = "invalid-transition"
    title = "Step not allowed now"


class PayloadTooLarge(ClientError):
    status = 413
    code = "body-too-large"
    title = "Request body too large"


class UnsupportedEncoding(ClientError):
    status = 415
    code = "unsupported-content-encoding"
    title = "Content-Encoding not accepted"
    accepted: ClassVar[str] = "zstd, gzip"

    def headers(self) -> dict[str, str]:
        return super().headers() | {"Accept-Encoding": self.accepted}


class RangeNotSatisfiable(ClientError):
    status = 416
    code = "range-not-satisfiable"
    title = "Range not satisfiable"


class TooManyRequests(ClientError):
    status = 429
    code = "too-many-requests"
    title = "Too many requests"


class UpstreamError(AppError):
    status = 503
    code = "upstream-unavailable"
    title = "Service temporarily unavailable"
    retry_after_s = 10  # sent as Retry-After: when a client may try again


class DatabaseUnavailable(UpstreamError):
    code = "database-unavailable"
    title = "Database unavailable"


class StreamsBusy(UpstreamError):
    code = "too-many-streams"
    title = "Too many open streams"
    retry_after_s = 30


class ObjectStoreError(UpstreamError):
    code = "object-store-unavailable"
    title = "Evidence store unavailable"
