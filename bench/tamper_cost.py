"""What the tamper monitor costs per analysed frame (摄像头状态监测开销), by part, against decoding in the same run.

The monitor runs on every analysed frame of every camera, on the 320-px analysis images whichever stream is
decoded, so its cost is a floor under what a sub-stream can save (``bench.substream``). The two scenes of that
benchmark, their sub-streams (640×360) sampled at their analysis rates (quiet quarry 1 Hz, busy road 2 Hz):

- the monitor's CPU per analysed frame (this thread's), and of it the frame statistics (``picture.measure``)
  and the view's comparison with the background (``ViewAligner.align``); and per check (the monitor checks
  every ``every_s`` and holds its answer between); best of three rounds;
- the limit it is compared with: demuxing and decoding the same sub-stream alone, per sampled frame (best of
  three), and the main stream's (1080p) for scale.

Run with ``bash bench/run tamper`` (a few seconds once the clips exist). Results: a table on stdout and
``bench/out/tamper_cost.json``.
"""

from __future__ import annotations

import time

import msgspec
from rich.table import Table

from bench.substream import Scene, scenes
from bench.vision_parts import PARTS, analysed_frames, decode_alone_ms, tamper_alone_ms
from bench.vision_throughput import OUT, arguments, console, machine
from vision.config import TamperConfig


class Figures(msgspec.Struct):
    machine: dict[str, object]
    scenes: dict[str, dict[str, float]]  # scene → ms per analysed frame of the monitor, its parts, decoding


def measured(scene: Scene) -> dict[str, float]:
    hz = scene.site.cameras[0].analysis_hz
    figures = tamper_alone_ms(analysed_frames(scene.sub, hz))
    figures["sub-stream decode alone"] = decode_alone_ms(scene.sub, hz)
    figures["main stream decode alone"] = decode_alone_ms(scene.main, hz)
    figures["monitor ÷ sub-stream decode"] = figures["tamper monitor"] / figures["sub-stream decode alone"]
    return figures


def table(f: Figures) -> Table:
    every_s = TamperConfig().every_s
    t = Table(title=f"tamper monitor, CPU per analysed frame (320-px images, one camera, a check every {every_s:g} s)")
    t.add_column("figure")
    for name in f.scenes:
        t.add_column(name)
    for label in (
        "tamper monitor",
        *PARTS,
        "tamper monitor per check",
        "sub-stream decode alone",
        "main stream decode alone",
    ):
        t.add_row(label, *(f"{s.get(label, 0.0):.2f} ms" for s in f.scenes.values()))
    t.add_row("monitor ÷ sub-stream decode", *(f"{s['monitor ÷ sub-stream decode']:.2f}×" for s in f.scenes.values()))
    t.caption = f"load average {f.machine['load_average_1m']:.1f}; benchmark took {f.machine['benchmark_wall_s']} s"
    return t


def main() -> None:
    args = arguments(__doc__ or "").parse_args()
    began = time.perf_counter()
    found = scenes(args.seconds, 1, 1)
    results = {f"{name} ({s.site.cameras[0].analysis_hz:g} Hz)": measured(s) for name, s in found.items()}
    figures = Figures(machine=machine(time.perf_counter() - began), scenes=results)
    (OUT / "tamper_cost.json").write_bytes(msgspec.json.format(msgspec.json.encode(figures), indent=2))
    console.print(table(figures))


if __name__ == "__main__":
    main()
