"""A lean HTTP/1.1 load generator for loopback benchmarks.

The generator shares the machine with the API and PostgreSQL, so its own CPU per request is
taken from theirs: a keep-alive connection per client, requests pre-encoded as bytes, responses
parsed by httptools (the C parser uvicorn itself uses). About a tenth of httpx's CPU per request.

Two ways to load the server:
- ``closed_loop``: each client sends its next request as soon as the previous answer arrives
  (throughput at saturation; latency is then mostly queueing: clients / throughput);
- ``open_loop``: requests are due on a fixed schedule whatever the server does, and latency is
  measured from when each was due, so a server falling behind is charged for its queue
  (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence

import httptools
import msgspec


class Answer(msgspec.Struct, frozen=True):
    status: int
    body: bytes


class Client(asyncio.Protocol):
    """One keep-alive connection; one request in flight at a time."""

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[Answer] | None = None
        self.chunks: list[bytes] = []

    @classmethod
    async def connect(cls, host: str, port: int) -> Client:
        _, client = await asyncio.get_running_loop().create_connection(cls, host, port)
        return client

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc or ConnectionError("server closed the connection"))

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        assert self.waiter is not None
        self.waiter.set_result(Answer(self.parser.get_status_code(), b"".join(self.chunks)))

    async def send(self, request: bytes) -> Answer:
        assert self.transport is not None
        self.chunks = []
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return await self.waiter

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


def request(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    """One HTTP/1.1 request as bytes, ready to write."""
    lines = [f"{method} {path} HTTP/1.1", "Host: bench", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


Check = Callable[[Answer], None]


async def closed_loop(
    host: str, port: int, requests: Sequence[bytes], clients: int, check: Check
) -> tuple[float, list[float]]:
    """Every request once, ``clients`` connections back to back. Returns (requests/s, latencies in s)."""
    pending = iter(requests)
    latencies: list[float] = []

    async def client() -> None:
        connection = await Client.connect(host, port)
        try:
            for raw in pending:
                started = time.perf_counter()
                check(await connection.send(raw))
                latencies.append(time.perf_counter() - started)
        finally:
            connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return len(requests) / (time.perf_counter() - started), latencies


async def open_loop(
    host: str, port: int, requests: Sequence[bytes], clients: int, rate: float, check: Check
) -> list[float]:
    """Request i is due at i / rate seconds, sent by client i mod ``clients``; latency counts from when due."""
    latencies: list[float] = []
    connections = [await Client.connect(host, port) for _ in range(clients)]
    start = time.perf_counter() + 0.1

    async def client(index: int) -> None:
        for i in range(index, len(requests), clients):
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            check(await connections[index].send(requests[i]))
            latencies.append(time.perf_counter() - due)

    try:
        await asyncio.gather(*(client(c) for c in range(clients)))
    finally:
        for connection in connections:
            connection.close()
    return latencies
