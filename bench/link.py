"""An emulated weak mobile link (弱网) between a handheld and the API: a small asyncio TCP proxy.

``netem`` is not available on these machines, so delay and cuts cannot come from the kernel; the
proxy makes all three of rate, delay and cuts, which keeps a run repeatable without root or network
namespaces. Per direction the link is one shared radio: bytes leave in arrival order at ``rate_bps``
(a connection's bytes queue behind those already sent), then arrive ``rtt_s / 2`` later. A new
connection's first bytes wait one round trip more (the TCP handshake a real link would cost). Cuts
abort every open connection at once, at seeded intervals of ``cut_every_s`` × U(0.5, 1.5).

What it does not model: the proxy ends TCP on loopback at both sides, so TCP slow start, loss and
its retransmissions are not part of the figures; ``rate_bps`` counts the HTTP bytes (headers and
bodies), not TCP/IP headers (about 3 % more on a real link).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time

import msgspec

CHUNK = 16_384  # bytes read at a time: about 130 ms at 1 Mbit/s, so no cut waits long for a read


class Profile(msgspec.Struct, frozen=True):
    """A link: rate each way (bits/s), round trip (s), mean seconds between cuts (None: never cut)."""

    name: str
    rate_bps: float
    rtt_s: float
    cut_every_s: float | None = None


class Traffic(msgspec.Struct):
    """What crossed the link: HTTP bytes each way, connections opened, and those a cut ended."""

    up_bytes: int = 0
    down_bytes: int = 0
    connections: int = 0
    cut_connections: int = 0


class _Direction:
    """One way of the link: the time its radio is next free."""

    def __init__(self, rate_bps: float) -> None:
        self.seconds_per_byte = 8 / rate_bps
        self.free_at = 0.0

    def departure(self, size: int, not_before: float) -> float:
        """When ``size`` bytes read now have left the sender: after those queued before them."""
        self.free_at = max(time.monotonic(), not_before, self.free_at) + size * self.seconds_per_byte
        return self.free_at


class Link:
    """The proxy: ``async with Link(api_port, profile) as link``; a device connects to ``link.port``.

    ``drop_answers`` (for tests) cuts the next this many connections as the first bytes of their first
    answer reach the proxy: the server has finished the request, the device never hears of it.
    """

    def __init__(self, target_port: int, profile: Profile, *, seed: int = 19, drop_answers: int = 0) -> None:
        self.target_port, self.profile = target_port, profile
        self.random = random.Random(seed)
        self.drop_answers = drop_answers
        self.traffic = Traffic()
        self.up, self.down = _Direction(profile.rate_bps), _Direction(profile.rate_bps)
        self.open: set[asyncio.Task[None]] = set()
        self.server: asyncio.Server | None = None
        self.cutter: asyncio.Task[None] | None = None
        self.port = 0

    async def __aenter__(self) -> Link:
        self.server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        self.port = int(self.server.sockets[0].getsockname()[1])
        if self.profile.cut_every_s is not None:
            self.cutter = asyncio.create_task(self._cut_now_and_then(self.profile.cut_every_s))
        return self

    async def __aexit__(self, *_: object) -> None:
        if self.cutter is not None:
            self.cutter.cancel()
        for task in list(self.open):
            task.cancel()
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    async def _cut_now_and_then(self, every_s: float) -> None:
        while True:
            await asyncio.sleep(every_s * self.random.uniform(0.5, 1.5))
            self.cut()

    def cut(self) -> None:
        """Every open connection ends now, on both sides, whatever was on its way."""
        self.traffic.cut_connections += len(self.open)
        for task in list(self.open):
            task.cancel()

    async def _connection(self, device_r: asyncio.StreamReader, device_w: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.open.add(task)
        self.traffic.connections += 1
        handshake_done = time.monotonic() + self.profile.rtt_s
        try:
            api_r, api_w = await asyncio.open_connection("127.0.0.1", self.target_port)
            try:
                async with asyncio.TaskGroup() as pipes:
                    pipes.create_task(self._pipe(device_r, api_w, self.up, handshake_done, upward=True))
                    pipes.create_task(self._pipe(api_r, device_w, self.down, handshake_done, upward=False))
            finally:
                _abort(api_w)
        except (asyncio.CancelledError, ExceptionGroup, OSError):
            pass  # a cut, or one side closed: the other side is ended too, as a dropped radio link does
        finally:
            _abort(device_w)
            self.open.discard(task)

    async def _pipe(
        self,
        source: asyncio.StreamReader,
        sink: asyncio.StreamWriter,
        direction: _Direction,
        not_before: float,
        *,
        upward: bool,
    ) -> None:
        """Bytes from ``source`` to ``sink`` at the link's rate and delay; ends the connection at EOF."""
        in_flight: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
        carrier = asyncio.create_task(self._deliver(in_flight, sink))
        answer_starts = not upward
        try:
            while chunk := await source.read(CHUNK):
                if answer_starts and self.drop_answers:
                    self.drop_answers -= 1
                    raise ConnectionAbortedError("answer dropped")
                answer_starts = False
                if upward:
                    self.traffic.up_bytes += len(chunk)
                else:
                    self.traffic.down_bytes += len(chunk)
                in_flight.put_nowait((direction.departure(len(chunk), not_before) + self.profile.rtt_s / 2, chunk))
            in_flight.put_nowait((0.0, b""))
            await carrier
        finally:
            carrier.cancel()

    @staticmethod
    async def _deliver(in_flight: asyncio.Queue[tuple[float, bytes]], sink: asyncio.StreamWriter) -> None:
        while True:
            arrives, chunk = await in_flight.get()
            if not chunk:
                sink.write_eof()
                return
            await asyncio.sleep(max(0.0, arrives - time.monotonic()))
            sink.write(chunk)
            await sink.drain()


def _abort(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(Exception):
        writer.transport.abort()
