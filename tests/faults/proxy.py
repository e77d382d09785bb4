"""A failing link (故障链路) between a handheld and the API: an HTTP proxy that loses and repeats.

For each request it forwards, by chance (seeded, so a run can be repeated):

- **drop**: the server's whole answer is read — the server has done the work and committed — and
  the connection to the device is then cut without a byte of it (a 504 after a successful upload,
  a radio that went while the answer was on its way);
- **duplicate**: the request goes to the server twice at once (a retransmission), one answer is
  passed on;
- **delay**: a random wait before forwarding, so requests overtake one another.

One request per connection (``Connection: close`` both ways), which is all a scripted device
needs. It runs its own event loop in a thread, so the device and the test stay plain code.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import threading

from storage.embedded import free_port

HEAD_END = b"\r\n\r\n"


class FailingLink:
    def __init__(self, upstream_port: int, *, drop: float, duplicate: float, max_delay_s: float, seed: int) -> None:
        self.upstream_port, self.drop, self.duplicate, self.max_delay_s = upstream_port, drop, duplicate, max_delay_s
        self.random = random.Random(seed)
        self.port = free_port()
        self.forwarded = self.dropped = self.duplicated = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FailingLink:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self.loop).result(10)
        return self

    def __exit__(self, *_: object) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    async def _listen(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def _close(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await _read_request(reader)
            await asyncio.sleep(self.random.uniform(0, self.max_delay_s))
            copies = 2 if self.random.random() < self.duplicate else 1
            answers = await asyncio.gather(*(self._forward(request) for _ in range(copies)))
            self.forwarded += 1
            self.duplicated += copies - 1
            if self.random.random() < self.drop:
                self.dropped += 1
                writer.transport.abort()  # the server committed; the device never hears of it
                return
            writer.write(answers[0])
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.transport.abort()

    async def _forward(self, request: bytes) -> bytes:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        try:
            upstream_writer.write(request)
            await upstream_writer.drain()
            return await upstream_reader.read(-1)  # until the server closes: the whole answer
        finally:
            with contextlib.suppress(ConnectionError):
                upstream_writer.close()


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    """One request, its connection header replaced by ``Connection: close``."""
    head = await reader.readuntil(HEAD_END)
    lines = head[: -len(HEAD_END)].split(b"\r\n")
    kept = [line for line in lines[1:] if not line.lower().startswith((b"connection:", b"keep-alive:"))]
    length = next((int(line.split(b":", 1)[1]) for line in kept if line.lower().startswith(b"content-length:")), 0)
    body = await reader.readexactly(length)
    return b"\r\n".join([lines[0], *kept, b"Connection: close"]) + HEAD_END + body
