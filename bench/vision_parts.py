"""What the vision pipeline's parts cost alone (流水线各环节单独开销), for the benchmarks to compare against.

- ``decode_alone_ms``: demuxing and decoding a stream as the reader samples it;
- ``tamper_alone_ms``: the tamper monitor over a stream's analysed frames, in all and by part.
"""

from __future__ import annotations

import collections
import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from vision.config import NodeConfig, TamperConfig
from vision.reader import FrameReader
from vision.rules.tamper import alignment, monitor
from vision.sampler import Sampler
from vision.sources import VideoSource
from vision.stats import PipelineStats
from vision.types import Frame, Packet

PARTS = {"frame statistics": (monitor, "measure"), "view alignment": (alignment.ViewAligner, "align")}


def decode_alone_ms(path: Path, hz: float) -> float:
    """Demuxing and decoding a stream alone, sampled at ``hz`` as the reader samples it: ms per sampled frame.

    Best of three. Key frames only where the rate allows (as the reader does), nothing made of the pictures.
    """
    rounds = []
    for _ in range(3):
        source, sampler, sampled = VideoSource(str(path), live=False), Sampler(hz), 0
        started = time.perf_counter()
        for packet in source.packets():
            assert isinstance(packet, Packet)  # a recording has no silences
            if not sampler.wants(packet):
                continue
            if packet.key:
                source.key_frames_only(sampler.key_only)
            for picture in source.decode(packet, drain=sampler.key_only):
                sampled += picture.pts is not None and sampler.due(source.seconds(picture.pts))
        rounds.append((time.perf_counter() - started) / sampled * 1000)
        source.close()
    return min(rounds)


@contextmanager
def timing(spent: collections.Counter[str], calls: collections.Counter[str]) -> Iterator[None]:
    """Each part's thread CPU and calls added up while the block runs (the parts are wrapped, then restored)."""
    originals = {label: getattr(owner, name) for label, (owner, name) in PARTS.items()}

    def timed(label: str, function: Callable[..., object]) -> Callable[..., object]:
        @functools.wraps(function)
        def run(*args: object, **kwargs: object) -> object:
            started = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] += time.thread_time() - started
                calls[label] += 1

        return run

    for label, (owner, name) in PARTS.items():
        setattr(owner, name, timed(label, originals[label]))
    try:
        yield
    finally:
        for label, (owner, name) in PARTS.items():
            setattr(owner, name, originals[label])


def analysed_frames(path: Path, hz: float) -> list[Frame]:
    """A recording's analysed frames at ``hz``, as the pipeline's reader makes them."""
    source = VideoSource(str(path), live=False)
    width = NodeConfig().motion.width
    reader = FrameReader("bench", source, Sampler(hz), ring_s=10.0, width=width, stats=PipelineStats())
    found = [item for item in reader.frames() if isinstance(item, Frame)]
    source.close()
    return found


def tamper_alone_ms(analysed: list[Frame]) -> dict[str, float]:
    """One camera's monitor over the frames, best of three rounds: ms of CPU per analysed frame, in all and by
    part, and per check (the monitor checks every ``every_s``, see ``vision.rules.tamper.monitor``)."""
    rounds = []
    for _ in range(3):
        spent: collections.Counter[str] = collections.Counter()
        calls: collections.Counter[str] = collections.Counter()
        watch, earlier = monitor.TamperMonitor("bench", TamperConfig()), analysed[0].at
        with timing(spent, calls):
            started = time.thread_time()
            for frame in analysed:
                watch.evaluate(frame.grey, frame.contrast, frame.at, (frame.at - earlier).total_seconds())
                earlier = frame.at
            spent["tamper monitor"] = time.thread_time() - started
        figures = {label: seconds / len(analysed) * 1000 for label, seconds in spent.items()}
        figures["tamper monitor per check"] = spent["tamper monitor"] / calls["frame statistics"] * 1000
        rounds.append(figures)
    return min(rounds, key=lambda r: r["tamper monitor"])
