"""Compressed request bodies (gzip, zstd; bounded inflating) and compressed JSON answers (``api/compression.py``)."""

from __future__ import annotations

import asyncio
import gzip
import json
import zlib

import pytest
from backports import zstd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.types import Message, Receive, Scope, Send

from api.compression import BODY_LIMIT, CODINGS, CompressionMiddleware, RequestBody, chosen_coding
from mobile_contract.problems import ClientError, PayloadTooLarge, UnsupportedEncoding
from tests.factories import record_create

COMPRESS = {"gzip": gzip.compress, "zstd": zstd.compress}
INFLATER = {"gzip": lambda: zlib.decompressobj(wbits=31), "zstd": zstd.ZstdDecompressor}


def push(*records: dict) -> bytes:
    return json.dumps({"operations": [{"op": "create_record", "record": r} for r in records]}).encode()


@pytest.mark.integration
@pytest.mark.parametrize("coding", ["gzip", "zstd"])
async def test_a_compressed_push_is_stored_as_sent(client, pool, inspector, partner, coding) -> None:
    records = [record_create(inspector, partner) for _ in range(3)]
    headers = inspector.headers | {"content-encoding": coding, "content-type": "application/json"}

    answer = await client.post("/sync/push", content=COMPRESS[coding](push(*records)), headers=headers)

    assert answer.status_code == 200, answer.text
    assert [r["status"] for r in answer.json()["results"]] == ["created"] * 3
    assert (
        await pool.fetchval("SELECT count(*) FROM records WHERE id = ANY($1::uuid[])", [r["id"] for r in records]) == 3
    )


@pytest.mark.integration
@pytest.mark.parametrize("coding", ["zstd", "identity"])
async def test_a_body_over_the_limit_is_a_413_also_a_decompression_bomb(client, inspector, coding) -> None:
    body = b"[" + b" " * BODY_LIMIT + b"]"
    if coding == "zstd":
        body = zstd.compress(b"[" + b" " * (BODY_LIMIT * 5) + b"]")  # 50 MB of JSON in a few kilobytes
        assert len(body) < 10_000
    headers = inspector.headers | {"content-encoding": coding, "content-type": "application/json"}

    answer = await client.post("/sync/push", content=body, headers=headers)

    assert (answer.status_code, answer.json()["code"]) == (413, "body-too-large")
    assert "分批提交" in answer.json()["detail"]


@pytest.mark.integration
@pytest.mark.parametrize("damage", ["corrupt", "cut off", "trailing bytes"])
async def test_a_damaged_compressed_body_is_a_400_that_says_send_it_again(client, inspector, partner, damage) -> None:
    body = gzip.compress(push(record_create(inspector, partner)))
    body = {
        "corrupt": body[:10] + bytes(40) + body[50:],
        "cut off": body[: len(body) // 2],
        "trailing bytes": body + b"x",
    }[damage]
    headers = inspector.headers | {"content-encoding": "gzip", "content-type": "application/json"}

    answer = await client.post("/sync/push", content=body, headers=headers)

    assert (answer.status_code, answer.json()["code"]) == (400, "bad-content-encoding")
    assert "重新提交" in answer.json()["detail"]


@pytest.mark.integration
async def test_another_coding_is_a_415_naming_those_accepted(client, inspector) -> None:
    headers = inspector.headers | {"content-encoding": "br", "content-type": "application/json"}

    answer = await client.post("/sync/push", content=b"\x0b\x02\x80{}\x03", headers=headers)

    assert (answer.status_code, answer.json()["code"]) == (415, "unsupported-content-encoding")
    assert answer.headers["accept-encoding"] == UnsupportedEncoding.accepted == ", ".join(CODINGS)


@pytest.mark.integration
@pytest.mark.parametrize(
    ("accept", "coding"),
    [("zstd", "zstd"), ("gzip, deflate", "gzip"), ("gzip;q=0.5, zstd", "zstd"), ("zstd;q=0, gzip;q=0", None)],
)
async def test_json_answers_are_compressed_as_the_client_accepts(client, inspector, partner, accept, coding) -> None:
    records = [record_create(inspector, partner) for _ in range(20)]
    headers = inspector.headers | {"accept-encoding": accept, "content-type": "application/json"}

    answer = await client.post("/sync/push", content=push(*records), headers=headers)

    assert answer.status_code == 200
    assert answer.headers.get("content-encoding") == coding
    raw = answer.content if coding != "zstd" else zstd.decompress(answer.content)  # the client inflates gzip itself
    assert len(json.loads(raw)["results"]) == 20


@pytest.mark.integration
async def test_a_small_answer_is_sent_as_it_is(client, inspector) -> None:
    answer = await client.get("/users/me", headers=inspector.headers | {"accept-encoding": "zstd, gzip"})
    assert answer.status_code == 200 and "content-encoding" not in answer.headers


def test_a_console_page_is_never_compressed_beside_its_csrf_token() -> None:
    start, body = asgi_exchange("text/html; charset=utf-8", [b"<p>" * 2000])
    assert b"content-encoding" not in dict(start["headers"]) and body == b"<p>" * 2000


def test_an_event_stream_passes_part_by_part_uncompressed() -> None:
    parts = [b"event: alert\ndata: {}\n\n" * 100, b"event: alert\ndata: {}\n\n" * 100]
    start, body = asgi_exchange("text/event-stream", parts)
    assert b"content-encoding" not in dict(start["headers"]) and body == b"".join(parts)


def test_a_large_json_answer_is_compressed_with_its_length() -> None:
    start, body = asgi_exchange("application/json", [b"[" + b"1," * 5000 + b"1]"])
    headers = dict(start["headers"])
    assert headers[b"content-encoding"] == b"zstd" and int(headers[b"content-length"]) == len(body)
    assert zstd.decompress(body) == b"[" + b"1," * 5000 + b"1]"


def asgi_exchange(media_type: str, parts: list[bytes]) -> tuple[Message, bytes]:
    """One GET through the middleware to an ASGI app that answers ``parts`` of ``media_type``."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", media_type.encode())]})
        for i, part in enumerate(parts):
            await send({"type": "http.response.body", "body": part, "more_body": i < len(parts) - 1})

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {"type": "http", "method": "GET", "path": "/", "headers": [(b"accept-encoding", b"zstd, gzip")]}
    asyncio.run(CompressionMiddleware(app)(scope, receive, send))  # type: ignore[arg-type]
    return sent[0], b"".join(m.get("body", b"") for m in sent[1:])


weights = st.sampled_from(["", ";q=0", ";q=0.5", ";q=1", ";q=0.001", ";q=junk"])
codings = st.sampled_from(["zstd", "gzip", "x-gzip", "br", "deflate", "*", "identity"])


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a shared machine stalls at times
@given(st.lists(st.tuples(codings, weights), max_size=6))
def test_the_chosen_coding_is_one_the_client_allows_with_the_highest_weight(offer: list[tuple[str, str]]) -> None:
    header = ", ".join(name + weight for name, weight in offer)
    chosen = chosen_coding(header)
    q = {("gzip" if n == "x-gzip" else n): (0.0 if w in (";q=0", ";q=junk") else float(w[3:] or 1)) for n, w in offer}
    allowed = {c: q.get(c, q.get("*", 0.0)) for c in CODINGS}
    if chosen is None:
        assert all(weight == 0 for weight in allowed.values())
    else:
        assert allowed[chosen] > 0 and allowed[chosen] == max(allowed.values())
        assert chosen == "zstd" or allowed["zstd"] < allowed["gzip"], "zstd on a tie"


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a shared machine stalls at times
@given(st.binary(max_size=20_000), st.lists(st.integers(1, 5000), min_size=1), st.sampled_from(["gzip", "zstd"]))
def test_a_body_inflates_to_what_was_compressed_however_it_is_cut_into_chunks(
    data: bytes, cuts: list[int], coding: str
) -> None:
    compressed = COMPRESS[coding](data)
    body = RequestBody(coding, INFLATER[coding](), limit=len(data))
    chunks, at = [], 0
    for size in cuts:
        chunks.append(compressed[at : at + size])
        at += size
    chunks.append(compressed[at:])
    inflated = b"".join(body.feed(chunk, last=i == len(chunks) - 1) for i, chunk in enumerate(chunks))
    assert inflated == data


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a shared machine stalls at times
@given(st.integers(1, 50_000), st.sampled_from(["gzip", "zstd"]))
def test_a_body_one_byte_over_the_limit_is_refused(size: int, coding: str) -> None:
    body = RequestBody(coding, INFLATER[coding](), limit=size - 1)
    with pytest.raises(PayloadTooLarge):
        body.feed(COMPRESS[coding](bytes(size)), last=True)


def test_a_body_at_the_limit_is_taken() -> None:
    body = RequestBody("zstd", zstd.ZstdDecompressor(), limit=1000)
    assert body.feed(zstd.compress(bytes(1000)), last=True) == bytes(1000)
    with pytest.raises(ClientError):
        body.feed(b"more", last=True)
