"""Evaluation of the alerts on footage nobody trained on (告警评测): the table of docs/vision.md.

Runs ``vision.evaluation`` (its own renderer, its own scenes) through the real camera pipeline at the
shipped defaults, 1 Hz, with the oracle detector, and prints per tamper kind and per rule: recall with
the right kind, wrong kinds, false alarms (per camera-hour on the quiet footage) and latency. Results
also go to ``bench/out/vision_evaluation.json``.

    bash bench/run evaluation       # = python -m bench.vision_evaluation --seeds 2 --quiet-s 600

Scenes run in parallel processes (``--jobs``, default the number of cores), longest first; each is
independent and is printed as it finishes, so a long run shows where it is. ``--only quiet`` runs the
quiet footage alone (false alarms per camera-hour), ``--only alerts`` the rest.
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

os.environ.setdefault("YOLO_OFFLINE", "1")
os.environ.setdefault("YOLO_AUTOINSTALL", "false")

import msgspec
from rich.console import Console
from rich.table import Table

from vision.evaluation.report import Row, overcounted, quiet_rate, summarise
from vision.evaluation.run import SceneResult, run_scene
from vision.evaluation.scenes import EvalScene, suite

OUT = Path(__file__).parent / "out"
console = Console()


def table(rows: list[Row], results: list[SceneResult], wall_s: float) -> Table:
    t = Table(title="alerts on the evaluation suite (own renderer, 1 Hz, shipped defaults, oracle detector)")
    for column in ("group", "scenes", "recalled", "wrong kind", "false alarms", "camera-hours", "per hour", "latency"):
        t.add_column(column)
    for r in rows:
        latency = "" if r.latency_median_s is None else f"{r.latency_median_s:.1f} s (max {r.latency_max_s:.1f})"
        t.add_row(
            r.group,
            str(r.scenes),
            f"{r.recalled}/{r.expected} ({r.recall:.0%})",
            str(r.wrong_kind),
            str(r.false_alarms),
            f"{r.hours:.2f}",
            f"{r.per_hour:.2f}",
            latency,
        )
    false, hours = quiet_rate(rows)
    t.caption = (
        f"quiet footage: {false} false alarms in {hours:.2f} camera-hours = {false / hours if hours else 0:.2f}/h"
        f" (goal < 0.1); crossings counted beyond the real ones: {overcounted(results)}; took {wall_s:.0f} s"
    )
    return t


def run_all(scenes: list[EvalScene], jobs: int) -> list[SceneResult]:
    """Every scene in a pool of ``jobs`` processes, each printed as it finishes."""
    began, results = time.perf_counter(), []
    with ProcessPoolExecutor(jobs) as pool:
        pending = [pool.submit(run_scene, s) for s in sorted(scenes, key=lambda s: -s.world.duration_s)]
        for future in as_completed(pending):
            r = future.result()
            results.append(r)
            raised = ", ".join(f"{a.kind.value}@{a.at_s:.0f}s" for a in r.raised) or "nothing"
            line = f"{time.perf_counter() - began:6.0f} s  {len(results)}/{len(scenes)}  {r.scene}: {r.analysed} frames"
            print(f"{line}, raised {raised}, missed {r.missed or 'none'}", flush=True)
    return sorted(results, key=lambda r: r.scene)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2, help="instances of every scene (other cameras, rock, timing)")
    parser.add_argument("--quiet-s", type=float, default=600.0, help="length of each quiet scene (6 per seed)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", choices=("all", "quiet", "alerts"), default="all")
    args = parser.parse_args()
    began = time.perf_counter()
    scenes = [
        s
        for s in suite(seeds=args.seeds, quiet_s=args.quiet_s)
        if args.only == "all" or (args.only == "quiet") == s.quiet
    ]
    results = run_all(scenes, args.jobs)
    rows = summarise(results)
    OUT.mkdir(parents=True, exist_ok=True)
    record = {"seeds": args.seeds, "quiet_s": args.quiet_s, "only": args.only, "rows": rows, "results": results}
    name = "vision_evaluation" + ("" if args.only == "all" else f"_{args.only}")
    (OUT / f"{name}.json").write_bytes(msgspec.json.format(msgspec.json.encode(record), indent=2))
    console.print(table(rows, results, time.perf_counter() - began))


if __name__ == "__main__":
    main()
