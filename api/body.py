"""Request bodies: one answer for a body that is not readable JSON, and a fast path for intake.

A body that is not JSON a server can read — cut off by the network, not UTF-8, or nested deeper
than the decoder goes (about 1 000 levels) — is a 400 ``bad-request`` problem with a Chinese detail
on every route, never a 500: ``unreadable`` says which, and ``BodyRequest`` (the app's request
class) applies it to every route that reads JSON. A body that *is* readable JSON but does not fit
the route's type stays a 422 with the field.

The hot intake routes skip Litestar's two passes (JSON into dicts and lists, then conversion into
the handler's type, about twice the CPU of one typed decode): ``direct(T)`` gives a DTO that
decodes the raw body with ``msgspec.json.decode(body, type=T)`` (validators run as usual) while the
OpenAPI document shows ``T`` exactly as without it. As the typed decoder validates while it reads,
a validation error is checked once more for a body that is not readable at all.
"""

from __future__ import annotations

import functools
from typing import Any

import msgspec
from litestar import Request
from litestar.dto import DTOConfig, MsgspecDTO
from litestar.exceptions import SerializationException, ValidationException

from mobile_contract.problems import ClientError

UNREADABLE = (msgspec.DecodeError, RecursionError, UnicodeDecodeError)


def unreadable(exc: BaseException) -> ClientError:
    """The 400 problem for a body the JSON decoder could not read, saying why in words a user can act on."""
    match exc:
        case RecursionError():
            detail = "提交的内容嵌套层数过多，无法处理，请检查数据后重新提交"
            detail_en = "JSON nested too deep"
        case UnicodeDecodeError():
            detail = "提交的内容不是有效的 UTF-8 文本，请以 UTF-8 编码重新提交"
            detail_en = "body is not valid UTF-8"
        case _:
            detail = "提交的内容不是完整有效的 JSON（可能传输中断），请重新提交"
            detail_en = str(exc)
    return ClientError(detail, detail_en)


class BodyRequest(Request):
    """The app's request class: an unreadable JSON body is a 400 problem on every route."""

    async def json(self) -> Any:
        try:
            return await super().json()
        except SerializationException as exc:
            raise unreadable(exc.__cause__ or exc) from exc
        except UNREADABLE as exc:
            raise unreadable(exc) from exc


@functools.cache
def direct(model: type[msgspec.Struct]) -> type[MsgspecDTO]:
    """A DTO that decodes request bodies straight into ``model``; use with ``return_dto=None``."""
    decoder = msgspec.json.Decoder(model)

    class DirectDecode(MsgspecDTO[model]):  # type: ignore[valid-type]  # a type known only at run time
        config = DTOConfig()

        def decode_bytes(self, value: bytes) -> Any:
            try:
                return decoder.decode(value)
            except msgspec.ValidationError as exc:
                _refuse_unreadable(value)
                raise ValidationException(extra=[{"message": str(exc)}]) from exc
            except UNREADABLE as exc:
                raise unreadable(exc) from exc

        @classmethod
        def create_openapi_schema(cls, field_definition: Any, handler_id: str, schema_creator: Any) -> Any:
            return schema_creator.for_field_definition(field_definition)

    DirectDecode.__name__ = f"Direct{model.__name__}"
    return DirectDecode


def _refuse_unreadable(value: bytes) -> None:
    """Raise the 400 if ``value`` is not readable JSON at all (only on the error path: it decodes again)."""
    try:
        msgspec.json.decode(value)
    except UNREADABLE as exc:
        raise unreadable(exc) from exc
