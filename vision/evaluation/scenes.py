"""The evaluation scenes (评测场景) and what a correct pipeline reports on each.

Each scene is a ``World`` (``vision.evaluation.world``), the site's zones, the analysis rate and the
expected alerts. A seed varies the camera, the rock, the timing and the traffic, so the full run draws
many instances of each kind. Quiet scenes (``quiet=True``) have nothing to report: every alert there is
a false alarm. Tamper scenes start healthy for long enough for the camera's baselines to settle.
"""

from __future__ import annotations

import datetime as dt

import msgspec
import numpy as np

from mobile_contract.alerts import AlertKind
from mobile_contract.sites import CountLine, ForbiddenZone, Zone
from vision.evaluation.world import CameraModel, Ground, Lamp, Path, Tamper, Vehicle, World, road_y

__all__ = ["CameraModel", "EvalScene", "Expected", "suite"]

CST = dt.timezone(dt.timedelta(hours=8))
CAMERAS = (
    CameraModel("bullet-720p", 1280, 720, distortion=-0.15, vignette=0.4, noise=2.0, jpeg_quality=75),
    CameraModel("dome-540p", 960, 540, distortion=-0.08, vignette=0.25, noise=3.0, jpeg_quality=60),
    CameraModel("box-540p-noisy", 960, 540, distortion=-0.2, vignette=0.5, noise=4.5, jpeg_quality=50),
)
NIGHT, DAY = 0.05, 1.0
SETTLE_S = 60.0  # healthy footage before any tamper
LINE_X = 0.5  # the count line stands across the road here


class Expected(msgspec.Struct, frozen=True):
    """An alert a correct pipeline raises: its kind, and when the condition begins (and ends)."""

    kind: AlertKind
    start_s: float
    end_s: float | None = None
    zone: str = ""


class EvalScene(msgspec.Struct, frozen=True):
    name: str
    group: str  # what the table reports it under: a tamper kind, a rule, or the quiet footage's condition
    world: World
    hz: float = 1.0
    zones: list[Zone] = []
    closed: bool = False
    expected: list[Expected] = []
    crossings: dict[str, int] = {}  # count line: outbound / inbound the trucks really made
    quiet: bool = False


def _world(seed: int, duration_s: float, hour: int, **options: object) -> World:
    rng = np.random.default_rng([seed, 99])
    camera = CAMERAS[seed % len(CAMERAS)]
    ground = Ground(
        seed=seed, palette=("loess", "limestone", "sandstone")[seed // 3 % 3], horizon=float(rng.uniform(0.24, 0.34))
    )
    start = dt.datetime(2025, 7, 1 + seed % 28, hour, tzinfo=CST)
    return World(camera=camera, start=start, duration_s=duration_s, ground=ground, **options)  # type: ignore[arg-type]


def _traffic(seed: int, duration_s: float, *, count: int, lights: bool) -> tuple[list[Vehicle], list[Lamp]]:
    """Trucks driving the whole road one way or the other (crossing the count line), with their headlights."""
    rng = np.random.default_rng([seed, 5])
    ground = Ground(seed=seed)
    vehicles, lamps = [], []
    for index in range(count):
        t0 = SETTLE_S / 2 + index * (duration_s - SETTLE_S) / max(count, 1) + float(rng.uniform(0, 4))
        crossing_s = float(rng.uniform(4.0, 12.0))  # from one edge to the other: fast trucks too
        xs = (-0.1, 1.1) if rng.random() < 0.6 else (1.1, -0.1)
        path = Path([(t0, xs[0], 0.0), (t0 + crossing_s, xs[1], 0.0)], appear_s=t0, leave_s=t0 + crossing_s)
        path = Path([(t, x, float(road_y(ground, x)) + 0.02) for t, x, _ in path.points], path.appear_s, path.leave_s)
        vehicles.append(Vehicle("dump_truck", path, scale=float(rng.uniform(0.9, 1.2)), colour=index))
        if lights:
            lamps.append(Lamp("headlights", path))
    return vehicles, lamps


def _crossings(vehicles: list[Vehicle]) -> dict[str, int]:
    """Outbound is left to right across a line drawn bottom to top (the ``a``→``b`` left side is x < LINE_X)."""
    out = sum(1 for v in vehicles if v.path.points[0][1] < LINE_X < v.path.points[-1][1])
    into = sum(1 for v in vehicles if v.path.points[-1][1] < LINE_X < v.path.points[0][1])
    return {"outbound": out, "inbound": into}


def _sweeping_lamps(seed: int, duration_s: float) -> list[Lamp]:
    """Headlights driving past on the road, a torch walking the yard, a flickering work lamp."""
    rng = np.random.default_rng([seed, 6])
    lamps = [Lamp("work_lamp", Path([(0.0, float(rng.uniform(0.6, 0.9)), 0.45)]), flicker=0.3)]
    lamps.append(Lamp("torch", Path([(0.0, 0.2, 0.85), (duration_s / 2, 0.8, 0.8), (duration_s, 0.3, 0.9)])))
    return lamps


def quiet(condition: str, seed: int, duration_s: float) -> EvalScene:
    """Nothing to report: day with drifting cloud light, dusk into infrared, night with lamps, weather."""
    light = {
        "day": tuple((t, 0.8 + 0.2 * np.cos(t / 90.0)) for t in np.arange(0, duration_s + 30, 30.0)),
        "dusk": ((0.0, DAY), (duration_s * 0.8, NIGHT)),
        "night": ((0.0, NIGHT),),
        "rain": ((0.0, 0.6),),
        "snow": ((0.0, 0.8),),
        "fog": ((0.0, 0.9),),
    }[condition]
    weather = {"rain": {"rain": 1.0}, "snow": {"snow": 1.0}, "fog": {"fog": 0.45}}.get(condition, {})
    passing = [v for v in _traffic(seed, duration_s, count=4, lights=True)[0]]
    lamps = _sweeping_lamps(seed, duration_s) + [Lamp("headlights", v.path) for v in passing]
    world = _world(
        seed,
        duration_s,
        2 if condition == "night" else 17 if condition == "dusk" else 11,
        light=tuple((float(t), float(v)) for t, v in light),
        lamps=lamps,
        vehicles=passing,
        **weather,
    )
    zone = ForbiddenZone(name="禁采区", polygon=[(0.05, 0.92), (0.3, 0.92), (0.3, 0.99), (0.05, 0.99)], dwell_s=20)
    return EvalScene(name=f"quiet-{condition}-{seed}", group=condition, world=world, zones=[zone], quiet=True)


def tamper(kind: str, seed: int, duration_s: float = 150.0) -> EvalScene:
    """Healthy footage, then one tamper of the given kind (see ``TAMPERS``) from ``SETTLE_S`` to the end."""
    spec, hour, alert = TAMPERS[kind]
    night = hour < 6
    lamps = _sweeping_lamps(seed, duration_s) if night else []
    world = _world(
        seed,
        duration_s,
        hour,
        light=((0.0, NIGHT if night else DAY),),
        lamps=lamps,
        vehicles=[Vehicle("excavator", Path([(0.0, 0.3, 0.62)]), colour=seed)],
        tamper=[msgspec.structs.replace(spec, start_s=SETTLE_S)],
    )
    group = alert.value.removeprefix("camera_")
    return EvalScene(name=f"{kind}-{seed}", group=group, world=world, expected=[Expected(alert, SETTLE_S)])


TAMPERS: dict[str, tuple[Tamper, int, AlertKind]] = {
    "cover": (Tamper("covered", 0.0), 11, AlertKind.CAMERA_COVERED),
    "cover-night": (Tamper("covered", 0.0), 2, AlertKind.CAMERA_COVERED),
    "cover-slow": (Tamper("covered", 0.0, ramp_s=20.0), 11, AlertKind.CAMERA_COVERED),
    "cover-partial-60": (Tamper("covered", 0.0, coverage=0.6), 11, AlertKind.CAMERA_COVERED),
    "ir-failure": (Tamper("ir_failure", 0.0), 2, AlertKind.CAMERA_COVERED),
    "move-small": (Tamper("moved", 0.0, shift=(0.035, 0.0, 0.0)), 11, AlertKind.CAMERA_MOVED),
    "move-large": (Tamper("moved", 0.0, shift=(0.25, 0.05, 0.0)), 11, AlertKind.CAMERA_MOVED),
    "roll": (Tamper("moved", 0.0, shift=(0.0, 0.0, 4.0)), 11, AlertKind.CAMERA_MOVED),
    "move-night": (Tamper("moved", 0.0, shift=(0.06, 0.02, 2.0)), 2, AlertKind.CAMERA_MOVED),
    "defocus": (Tamper("defocused", 0.0), 11, AlertKind.CAMERA_DEFOCUSED),
    "defocus-gradual": (Tamper("defocused", 0.0, ramp_s=60.0), 11, AlertKind.CAMERA_DEFOCUSED),
    "freeze": (Tamper("frozen", 0.0), 11, AlertKind.CAMERA_FROZEN),
    "freeze-night": (Tamper("frozen", 0.0), 2, AlertKind.CAMERA_FROZEN),
    "offline": (Tamper("offline", 0.0), 11, AlertKind.CAMERA_OFFLINE),
}


def closed_site(seed: int, *, night: bool, trucks: int = 8, duration_s: float = 180.0) -> EvalScene:
    """A closed site's haul road: trucks both ways across the count line, by day or at night."""
    vehicles, lamps = _traffic(seed, duration_s, count=trucks, lights=night)
    world = _world(
        seed, duration_s, 1 if night else 14, light=((0.0, NIGHT if night else DAY),), vehicles=vehicles, lamps=lamps
    )
    line = CountLine(name="出口", a=(LINE_X, 0.98), b=(LINE_X, 0.45))
    return EvalScene(
        name=f"closed-site-{'night' if night else 'day'}-{seed}",
        group="haul_crossing",
        world=world,
        zones=[line],
        closed=True,
        crossings=_crossings(vehicles),
    )


def night_dwell(seed: int, duration_s: float = 150.0, dwell_s: float = 20.0) -> EvalScene:
    """An excavator drives into a forbidden zone at night and digs there while trucks' headlights sweep past."""
    enter_s = 50.0
    digger = Vehicle("excavator", Path([(30.0, -0.1, 0.62), (enter_s, 0.3, 0.62)]), colour=seed)
    vehicles, lamps = _traffic(seed, duration_s, count=4, lights=True)
    zone = ForbiddenZone(name="禁采区", polygon=[(0.15, 0.5), (0.45, 0.5), (0.45, 0.7), (0.15, 0.7)], dwell_s=dwell_s)
    world = _world(
        seed,
        duration_s,
        23,
        light=((0.0, NIGHT),),
        vehicles=[digger, *vehicles],
        lamps=[Lamp("headlights", digger.path), *lamps, *_sweeping_lamps(seed, duration_s)],
    )
    entered = min(t for t in np.arange(30.0, enter_s + 1, 0.04) if (p := digger.path.at(float(t))) and p[0] >= 0.15)
    expected = [Expected(AlertKind.FORBIDDEN_ZONE, float(entered) + dwell_s, zone="禁采区")]
    return EvalScene(name=f"night-dwell-{seed}", group="forbidden_zone", world=world, zones=[zone], expected=expected)


def suite(*, seeds: int, quiet_s: float, tamper_s: float = 150.0) -> list[EvalScene]:
    """Every scene ``seeds`` times with other seeds; six quiet conditions of ``quiet_s`` each per seed; tamper
    scenes of ``tamper_s`` (a minute healthy, then the tamper)."""
    scenes: list[EvalScene] = []
    for seed in range(seeds):
        scenes += [tamper(kind, seed, tamper_s) for kind in TAMPERS]
        scenes += [closed_site(seed, night=False), closed_site(seed + 100, night=True), night_dwell(seed)]
        scenes += [quiet(c, seed, quiet_s) for c in ("day", "dusk", "night", "rain", "snow", "fog")]
    return scenes
