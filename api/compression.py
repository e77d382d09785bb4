"""Compressed request bodies and responses (压缩传输), for handhelds syncing over a weak mobile link.

Requests: a body sent with ``Content-Encoding: gzip`` or ``zstd`` is inflated as it arrives, before
any middleware or handler reads it, and never past ``BODY_LIMIT`` bytes (the app's limit for any body,
compressed or not): a small body that would inflate to gigabytes (a decompression bomb) is refused
with 413 as soon as it passes the limit, holding no more than that. A body that is not valid data of
its coding (cut off, corrupt, or with bytes after its end) is a 400; any other coding is a 415 whose
``Accept-Encoding`` header names those accepted (RFC 9110 §15.5.16).

Responses: a complete JSON answer (``application/json``, ``application/problem+json``, any ``+json``)
of at least ``MIN_SIZE`` bytes is compressed when the request's ``Accept-Encoding`` allows zstd or gzip
(zstd at equal weight: smaller and cheaper). Left alone: streamed responses (alert streams, evidence
downloads, exports), partial content, anything already encoded or carrying an ETag, answers that set
a cookie, and HTML pages (they carry a cookie sign-in's CSRF token, and compressing a secret beside
reflected input opens BREACH).
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable, Iterable
from typing import Protocol

from backports import zstd
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send
from litestar.types.asgi_types import HTTPResponseBodyEvent, HTTPResponseStartEvent

from mobile_contract.problems import ClientError, PayloadTooLarge, UnsupportedEncoding

BODY_LIMIT = 10_000_000  # bytes of a request body, after inflating (Litestar's request_max_body_size)
MIN_SIZE = 1024  # smaller answers gain less than a round trip's worth of bytes
CODINGS = ("zstd", "gzip")  # preferred first at equal weight
COMPRESS: dict[str, Callable[[bytes], bytes]] = {
    "zstd": lambda body: zstd.compress(body, level=3),
    "gzip": lambda body: gzip.compress(body, compresslevel=6, mtime=0),
}


class _Inflater(Protocol):
    """What ``zlib.decompressobj`` and ``zstd.ZstdDecompressor`` share."""

    @property
    def eof(self) -> bool: ...

    @property
    def unused_data(self) -> bytes: ...

    def decompress(self, data: bytes, max_length: int = ..., /) -> bytes: ...


def _inflater(coding: str) -> _Inflater | None:
    if coding in ("gzip", "x-gzip"):
        return zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    return zstd.ZstdDecompressor() if coding == "zstd" else None


class RequestBody:
    """A compressed body inflated chunk by chunk, refused once it passes ``limit`` bytes inflated."""

    def __init__(self, coding: str, inflater: _Inflater, limit: int) -> None:
        self.coding, self.inflater, self.left = coding, inflater, limit

    def feed(self, chunk: bytes, *, last: bool) -> bytes:
        if chunk and self.inflater.eof:
            raise _bad(self.coding, "bytes after the end of the compressed data")
        try:
            # one byte over what is left: getting it means the body is too large, and no more is inflated
            inflated = self.inflater.decompress(chunk, self.left + 1) if chunk else b""
        except (zlib.error, zstd.ZstdError) as exc:
            raise _bad(self.coding, str(exc)) from exc
        if len(inflated) > self.left:
            raise _too_large(self.coding)
        self.left -= len(inflated)
        if self.inflater.unused_data or (last and not self.inflater.eof):
            raise _bad(self.coding, "bytes after the end" if self.inflater.unused_data else "cut off")
        return inflated


def _too_large(coding: str) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"提交的内容解压后超过 {BODY_LIMIT // 1_000_000} MB，请分批提交（每批不超过 1000 条）",
        f"{coding} body inflates past {BODY_LIMIT} bytes",
    )


def _bad(coding: str, why: str) -> ClientError:
    return ClientError(
        f"提交的内容不是完整有效的 {coding} 压缩数据（可能传输中断），请重新提交",
        f"invalid {coding} body: {why}",
        code="bad-content-encoding",
    )


def chosen_coding(accept_encoding: str) -> str | None:
    """The coding to answer in, from an ``Accept-Encoding`` value: the highest weight, zstd on a tie."""
    weights: dict[str, float] = {}
    for part in accept_encoding.split(","):
        name, _, parameters = part.partition(";")
        name = name.strip().lower()
        weights["gzip" if name == "x-gzip" else name] = _weight(parameters)
    anything = weights.get("*", 0.0)
    best = max(CODINGS, key=lambda coding: weights.get(coding, anything))
    return best if weights.get(best, anything) > 0 else None


def _weight(parameters: str) -> float:
    for parameter in parameters.split(";"):
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "q":
            try:
                return min(max(float(value), 0.0), 1.0)
            except ValueError:
                return 0.0
    return 1.0


class CompressionMiddleware:
    """Inflates compressed request bodies and compresses JSON answers (see the module's docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        headers = _headers(scope["headers"])
        coding = headers.get(b"content-encoding", b"identity").decode("latin-1").strip().lower()
        if coding != "identity":
            receive = self._inflating(scope, receive, coding)
        answer = chosen_coding(headers.get(b"accept-encoding", b"").decode("latin-1"))
        await self.app(scope, receive, _compressing(send, answer) if answer else send)

    @staticmethod
    def _inflating(scope: Scope, receive: Receive, coding: str) -> Receive:
        inflater = _inflater(coding)
        if inflater is None:
            raise UnsupportedEncoding(
                f"不支持的压缩方式 {coding}：请用 gzip 或 zstd 压缩，或不压缩",
                f"Content-Encoding {coding} is not accepted: use gzip or zstd",
                extra={"accepted": list(CODINGS)},
            )
        skipped = (b"content-encoding", b"content-length")  # the handler sees the inflated body
        scope["headers"] = [(k, v) for k, v in scope["headers"] if k not in skipped]
        body = RequestBody(coding, inflater, BODY_LIMIT)

        async def inflating() -> ReceiveMessage:
            message = await receive()
            if message["type"] == "http.request":
                message["body"] = body.feed(message.get("body", b""), last=not message.get("more_body", False))
            return message

        return inflating


def _headers(raw: Iterable[tuple[bytes, bytes]]) -> dict[bytes, bytes]:
    return {name.lower(): value for name, value in raw}


def _compressing(send: Send, coding: str) -> Send:
    """``send`` that holds the response's start until its first body part, then compresses if it may."""
    held: list[HTTPResponseStartEvent] = []

    async def compressing(message: Message) -> None:
        if message["type"] == "http.response.start":
            held.append(message)
            return
        if held and message["type"] == "http.response.body":
            start = held.pop()
            if _compressible(start, message):
                message = _compressed(start, message, coding)
            await send(start)
        await send(message)

    return compressing


def _compressible(start: HTTPResponseStartEvent, first: HTTPResponseBodyEvent) -> bool:
    headers = _headers(start.get("headers", []))
    media_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    json = media_type in (b"application/json", b"application/problem+json") or media_type.endswith(b"+json")
    return (
        json
        and not first.get("more_body", False)
        and len(first.get("body", b"")) >= MIN_SIZE
        and start["status"] not in (204, 206, 304)
        and not {b"content-encoding", b"content-range", b"etag", b"set-cookie"} & headers.keys()
    )


def _compressed(start: HTTPResponseStartEvent, body: HTTPResponseBodyEvent, coding: str) -> HTTPResponseBodyEvent:
    """The body compressed; the start's headers say so (length, coding, Vary)."""
    data = COMPRESS[coding](body["body"])
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
    headers += [(b"content-length", str(len(data)).encode()), (b"content-encoding", coding.encode())]
    start["headers"] = [*headers, (b"vary", b"Accept-Encoding")]
    return {"type": "http.response.body", "body": data, "more_body": False}
