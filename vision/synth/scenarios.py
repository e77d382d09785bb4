"""Ready-made clips (标准测试场景) for the pipeline tests and benchmark, each with what should be reported.

Every function returns a ``Scenario`` (see ``expectations``): the script, named regions (polygons) and
lines in normalised coordinates for building a site config, and ``expect``: what a correct pipeline
reports and what it must not. ``SCENARIOS`` maps names to them; ``write_scenario`` writes one to disk.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path
from typing import TypedDict

import msgspec
import numpy as np

from vision.synth.actors import ActorKind
from vision.synth.clips import (
    CHINA_STANDARD_TIME,
    ActorPath,
    ClipScript,
    GroundTruth,
    Keyframe,
    Landform,
    LightingKey,
    Tamper,
    TamperKind,
    write_clip,
)
from vision.synth.expectations import Expect, Point, Scenario, count_line, line_expect, zone_intervals
from vision.synth.terrain import SceneKind, canonical_layout, lane_y

NIGHT = 0.05


def _at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 6, 2, hour, minute, tzinfo=CHINA_STANDARD_TIME)


def _drive(kind: ActorKind, start: Point, end: Point, t0: float, t1: float, **options: object) -> ActorPath:
    keyframes = [
        Keyframe(float(t0), float(start[0]), float(start[1])),
        Keyframe(float(t1), float(end[0]), float(end[1])),
    ]
    return ActorPath(kind=kind, keyframes=keyframes, **options)  # type: ignore[arg-type]


class _Size(TypedDict):
    width: int
    height: int
    fps: int


def _size(width: int, height: int, fps: int) -> _Size:
    return {"width": width, "height": height, "fps": fps}


def quiet_night_quarry(
    duration_s: float = 60.0, *, seed: int = 11, width: int = 1920, height: int = 1080, fps: int = 25
) -> Scenario:
    """A quarry at 02:00: dark, empty and still but for sensor noise and a lamp flickering once."""
    flicker = duration_s * 0.4
    lighting = [LightingKey(0.0, NIGHT), LightingKey(flicker, NIGHT)]
    lighting += [
        LightingKey(flicker + dt_s, level) for dt_s, level in ((0.16, 0.22), (0.32, NIGHT), (0.48, 0.16), (0.64, NIGHT))
    ]
    script = ClipScript(
        scene="quarry",
        duration_s=duration_s,
        lighting=lighting,
        seed=seed,
        start_time=_at(2),
        **_size(width, height, fps),
    )
    return Scenario(
        name="quiet_night_quarry",
        description="静夜采石场：无机械、无人，仅灯光闪烁一次 / quiet night quarry: nothing there, one light flicker",
        script=script,
        regions={"pit_floor": [(0.05, 0.6), (0.95, 0.6), (0.95, 0.97), (0.05, 0.97)]},
        expect=[Expect(rule="any", fires=False, detail="nothing happens; the flicker is not tampering")],
    )


def busy_haul_road(
    duration_s: float = 60.0, *, seed: int = 12, width: int = 1920, height: int = 1080, fps: int = 25
) -> Scenario:
    """Dusty haul road by day: loaded trucks leaving left to right, empty ones returning, a loader working."""
    layout = canonical_layout(SceneKind.HAUL_ROAD)
    near, far = (lambda x: lane_y(layout, x, 0.78)), (lambda x: lane_y(layout, x, 0.32))
    actors = [ActorPath(kind=ActorKind.LOADER, keyframes=[Keyframe(0.0, 0.1, 0.53)], working=True, loaded=True)]
    for start in np.arange(-6.0, duration_s, 5.0):
        actors.append(
            _drive(ActorKind.DUMP_TRUCK, (-0.2, near(-0.2)), (1.2, near(1.2)), start, start + 9.0, loaded=True)
        )
    for start in np.arange(-4.0, duration_s, 6.5):
        actors.append(_drive(ActorKind.DUMP_TRUCK, (1.2, far(1.2)), (-0.2, far(-0.2)), start, start + 11.0))
    script = ClipScript(
        scene="haul_road",
        duration_s=duration_s,
        actors=actors,
        dust=True,
        seed=seed,
        start_time=_at(10),
        **_size(width, height, fps),
    )
    return Scenario(
        name="busy_haul_road",
        description="繁忙运输道路：满载车辆向右驶离，空车返回，装载机作业 / busy haul road",
        script=script,
        lines={"count": count_line("haul_road", 0.5)},
        regions={"stockpile": [(0.0, 0.47), (0.25, 0.47), (0.25, 0.58), (0.0, 0.58)]},
        expect=[line_expect(script, "count", 0.5, {ActorKind.DUMP_TRUCK}, "loaded trucks leave left to right")],
    )


def forbidden_zone_dwell(
    duration_s: float = 40.0, *, seed: int = 13, width: int = 1920, height: int = 1080, fps: int = 25
) -> Scenario:
    """An excavator drives into a forbidden zone and works there; a truck only passes through it."""
    zone = [(0.55, 0.62), (0.97, 0.62), (0.97, 0.97), (0.55, 0.97)]
    actors = [
        ActorPath(
            kind=ActorKind.EXCAVATOR, keyframes=[Keyframe(0.0, -0.15, 0.8), Keyframe(10.0, 0.75, 0.8)], working=True
        ),
        _drive(ActorKind.DUMP_TRUCK, (1.2, 0.68), (-0.2, 0.68), 12.0, 20.0, loaded=True),
        _drive(ActorKind.PERSON, (0.05, 0.9), (0.35, 0.88), 0.0, duration_s),
    ]
    script = ClipScript(
        scene="quarry", duration_s=duration_s, actors=actors, seed=seed, start_time=_at(10), **_size(width, height, fps)
    )
    (dwell_from, _), *_ = zone_intervals(script, 0, zone)
    (pass_from, pass_to), *_ = zone_intervals(script, 1, zone)
    stays = Expect(rule="zone_dwell", fires=True, start_s=dwell_from, region="forbidden", actors=[0], detail="stays")
    passes = Expect(
        rule="zone_dwell",
        fires=False,
        start_s=pass_from,
        end_s=pass_to,
        region="forbidden",
        actors=[1],
        detail=f"truck inside for {pass_to - pass_from:.1f} s only: no dwell with a longer threshold",
    )
    return Scenario(
        name="forbidden_zone_dwell",
        description="禁区停留：挖掘机驶入禁区作业，自卸车仅穿过 / excavator dwells in a forbidden zone, a truck passes",
        script=script,
        regions={"forbidden": zone},
        expect=[stays, passes],
    )


def _machinery(name: str, hour: int, light: float, duration_s: float, seed: int, size: _Size) -> Scenario:
    actors = [
        ActorPath(kind=ActorKind.EXCAVATOR, keyframes=[Keyframe(0.0, 0.35, 0.78)], working=True),
        _drive(ActorKind.DUMP_TRUCK, (1.2, 0.7), (0.62, 0.7), 0.0, 12.0),
    ]
    lighting = [LightingKey(0.0, light)]
    script = ClipScript(
        scene="quarry",
        duration_s=duration_s,
        actors=actors,
        lighting=lighting,
        seed=seed,
        start_time=_at(hour, 10),
        **size,
    )
    night = light < 0.4
    return Scenario(
        name=name,
        description=f"{'夜间' if night else '白天'}机械作业 / machinery working at {hour:02d}:10",
        script=script,
        regions={"site": [(0.0, 0.56), (1.0, 0.56), (1.0, 1.0), (0.0, 1.0)]},
        expect=[
            Expect(
                rule="prohibited_hours",
                fires=night,
                actors=[0, 1],
                detail=f"start_time {script.start_time.isoformat()}",
            )
        ],
    )


def night_machinery(
    duration_s: float = 30.0, *, seed: int = 14, width: int = 1920, height: int = 1080, fps: int = 25
) -> Scenario:
    """An excavator working with its lamps on at 23:10 and a truck pulling up: prohibited hours."""
    return _machinery("night_machinery", 23, NIGHT, duration_s, seed, _size(width, height, fps))


def day_machinery(
    duration_s: float = 30.0, *, seed: int = 14, width: int = 1920, height: int = 1080, fps: int = 25
) -> Scenario:
    """The same work at 10:10 in daylight: allowed hours, so no prohibited-hours alert."""
    return _machinery("day_machinery", 10, 1.0, duration_s, seed, _size(width, height, fps))


def line_crossing(
    duration_s: float = 30.0, *, seed: int = 15, width: int = 1920, height: int = 1080, fps: int = 25
) -> Scenario:
    """Trucks crossing a counting line both ways in the rain, one turning back short of it, a person walking across."""
    layout = canonical_layout(SceneKind.HAUL_ROAD)
    near, far = (lambda x: lane_y(layout, x, 0.78)), (lambda x: lane_y(layout, x, 0.32))
    turn = ActorPath(
        kind=ActorKind.DUMP_TRUCK,
        keyframes=[Keyframe(14.0, -0.2, near(-0.2)), Keyframe(20.0, 0.4, near(0.4)), Keyframe(28.0, -0.2, near(-0.2))],
    )
    actors = [
        _drive(ActorKind.DUMP_TRUCK, (-0.2, near(-0.2)), (1.2, near(1.2)), 2.0, 10.0, loaded=True),
        _drive(ActorKind.DUMP_TRUCK, (1.2, far(1.2)), (-0.2, far(-0.2)), 6.0, 14.0),
        _drive(ActorKind.DUMP_TRUCK, (-0.2, near(-0.2)), (1.2, near(1.2)), 12.0, 20.0, loaded=True),
        turn,
        _drive(ActorKind.PERSON, (0.35, 0.86), (0.65, 0.86), 3.0, 27.0),
    ]
    script = ClipScript(
        scene="haul_road",
        duration_s=duration_s,
        actors=actors,
        rain=True,
        seed=seed,
        start_time=_at(15),
        **_size(width, height, fps),
    )
    return Scenario(
        name="line_crossing",
        description="过线计数（分方向）：两车向右、一车向左，一车折返未过线，一人步行穿过 / directional line count",
        script=script,
        lines={"count": count_line("haul_road", 0.5)},
        expect=[
            line_expect(script, "count", 0.5, {ActorKind.DUMP_TRUCK}, "trucks only; actor 3 turns back at x=0.40"),
            line_expect(script, "count", 0.5, {ActorKind.PERSON}, "a person crossing is not a truck"),
        ],
    )


def landform_change(
    duration_s: float = 30.0, *, seed: int = 16, width: int = 1920, height: int = 1080, fps: int = 25
) -> Scenario:
    """Fresh excavation appears at the foot of the damaged hillside at 10 s and stays."""
    patch = [(0.2, 0.66), (0.38, 0.64), (0.42, 0.79), (0.24, 0.81)]
    change = Landform(t_s=10.0, polygon=patch, grow_s=3.0)
    script = ClipScript(
        scene="hillside",
        duration_s=duration_s,
        landform=[change],
        seed=seed,
        start_time=_at(9),
        **_size(width, height, fps),
    )
    return Scenario(
        name="landform_change",
        description="地貌变化：山脚新开挖面 10 秒出现并保持 / fresh excavation appears and stays",
        script=script,
        regions={"excavation": patch, "hill": [(0.0, 0.3), (1.0, 0.3), (1.0, 0.62), (0.0, 0.62)]},
        expect=[
            Expect(
                rule="landform_change",
                fires=True,
                start_s=change.t_s,
                region="excavation",
                detail=f"fades in over {change.grow_s:g} s",
            )
        ],
    )


TAMPER_NAMES = {"covered": "遮挡", "defocused": "失焦", "moved": "移位", "frozen": "画面冻结", "offline": "离线"}


def camera_tamper(
    kind: TamperKind, duration_s: float = 30.0, *, seed: int = 17, width: int = 1920, height: int = 1080, fps: int = 25
) -> Scenario:
    """Normal work in the quarry, then the camera is covered, defocused, moved, frozen or goes offline."""
    start, end = (15.0, None) if kind == "offline" else (10.0, None) if kind == "moved" else (10.0, 20.0)
    actors = [
        ActorPath(kind=ActorKind.EXCAVATOR, keyframes=[Keyframe(0.0, 0.4, 0.78)], working=True),
        _drive(ActorKind.PERSON, (0.7, 0.9), (0.9, 0.86), 0.0, duration_s),
    ]
    tamper = [Tamper(kind=kind, start_s=start, end_s=end)]
    script = ClipScript(
        scene="quarry",
        duration_s=duration_s,
        actors=actors,
        tamper=tamper,
        seed=seed,
        start_time=_at(11),
        **_size(width, height, fps),
    )
    return Scenario(
        name=f"camera_{kind}",
        description=f"摄像头{TAMPER_NAMES[kind]}：第 {start:g} 秒起 / camera {kind} from {start:g} s",
        script=script,
        regions={"site": [(0.0, 0.56), (1.0, 0.56), (1.0, 1.0), (0.0, 1.0)]},
        expect=[Expect(rule=f"camera_{kind}", fires=True, start_s=start, end_s=end)],  # type: ignore[arg-type]
    )


def day_to_night(
    duration_s: float = 40.0, *, seed: int = 18, width: int = 1920, height: int = 1080, fps: int = 25
) -> Scenario:
    """Dusk falling on an empty quarry, from day to night in ``duration_s - 10`` seconds: nothing may fire."""
    lighting = [LightingKey(0.0, 1.0), LightingKey(5.0, 1.0), LightingKey(duration_s - 5.0, NIGHT)]
    script = ClipScript(
        scene="quarry",
        duration_s=duration_s,
        lighting=lighting,
        seed=seed,
        start_time=_at(18, 40),
        **_size(width, height, fps),
    )
    return Scenario(
        name="day_to_night",
        description="日落：由昼到夜，无任何活动，不得报警 / day to night with nothing else: no alert",
        script=script,
        regions={"pit_floor": [(0.05, 0.6), (0.95, 0.6), (0.95, 0.97), (0.05, 0.97)]},
        expect=[Expect(rule="any", fires=False, detail="a lighting change is neither covering nor tampering")],
    )


SCENARIOS: dict[str, Callable[..., Scenario]] = {
    "quiet_night_quarry": quiet_night_quarry,
    "busy_haul_road": busy_haul_road,
    "forbidden_zone_dwell": forbidden_zone_dwell,
    "night_machinery": night_machinery,
    "day_machinery": day_machinery,
    "line_crossing": line_crossing,
    "landform_change": landform_change,
    "day_to_night": day_to_night,
    **{
        f"camera_{kind}": functools.partial(camera_tamper, kind)
        for kind in ("covered", "defocused", "moved", "frozen", "offline")
    },
}


def write_scenario(name: str, out_dir: Path, **options: float) -> tuple[Path, GroundTruth]:
    """Write scenario ``name`` as ``<out_dir>/<name>.mp4`` with ``.truth.json`` and ``.scenario.json`` beside it."""
    scenario = SCENARIOS[name](**options)
    out_dir.mkdir(parents=True, exist_ok=True)
    clip = out_dir / f"{name}.mp4"
    truth = write_clip(scenario.script, clip)
    clip.with_suffix(".scenario.json").write_bytes(msgspec.json.encode(scenario))
    return clip, truth
