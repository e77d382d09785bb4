"""Train the default detector (默认检测模型), or fine-tune it on a deployment's footage: ``vision train``.

Nothing is downloaded: the network is built from ``yolov8n.yaml`` (random weights), the data set is
rendered by ``vision.synth.dataset`` (synthetic scenes, then frames made from real photographs that
installed packages ship: hard negatives, real backdrops, three real people), and training runs on the
CPU with a fixed seed. The weights land in ``vision/models/`` with a model card (JSON) that records
their SHA-256, the class map, suggested per-class thresholds, the exact command, and mAP on the held-out
split. ``fine_tune`` starts from those weights on a deployment's own YOLO data set (``--data``) and
writes the weights and card into its own folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shlex
import shutil
import time
from pathlib import Path
from typing import Any

import msgspec

from vision.synth.actors import CLASS_NAMES
from vision.synth.dataset import DatasetSummary, write_dataset

MODELS_DIR = Path(__file__).parent / "models"
WEIGHTS_NAME = "quarry-yolov8n-synth.pt"
CARD_NAME = "quarry-yolov8n-synth.json"
ARCHITECTURE = "yolov8n.yaml"
DEFAULT_THRESHOLD = 0.25  # for a class the held-out split never showed
# Weights that already work need no warm-up, and a smaller step than a fresh start (ultralytics' automatic choice
# for a short run, AdamW at about 0.001, undid part of what the synthetic run had learnt in a one-epoch trial).
FINE_TUNE = {"warmup_epochs": 0.0, "optimizer": "AdamW", "lr0": 0.0005}


class ClassMetrics(msgspec.Struct, frozen=True):
    map50: float
    map50_95: float
    precision: float
    recall: float
    instances: int


class Metrics(msgspec.Struct, frozen=True):
    """Box metrics on the held-out synthetic split (ultralytics ``val``, IoU 0.7 NMS, conf 0.001)."""

    split: str
    map50: float
    map50_95: float
    precision: float
    recall: float
    per_class: dict[str, ClassMetrics]


class ModelCard(msgspec.Struct, frozen=True):
    """What a deployment needs to trust and use the weights file beside it."""

    weights: str
    sha256: str
    architecture: str
    ultralytics_version: str
    torch_version: str
    class_map: dict[str, str]  # model class id → domain class
    thresholds: dict[str, float]  # domain class → suggested confidence (best F1 on the held-out split)
    command: str
    dataset: DatasetSummary
    epochs: int
    imgsz: int
    batch: int
    seed: int
    device: str
    train_wall_s: float
    trained_at: dt.datetime
    metrics: Metrics
    base_sha256: str = ""  # the weights training started from (empty: random weights from the architecture)
    base_command: str = ""  # the command that made those weights, as their card recorded it


def training_command(
    *, out_dir: Path, images: int, photos: int, epochs: int, imgsz: int, batch: int, seed: int, base: Path | None
) -> str:
    """The ``vision train`` command line that reproduces a run with these settings."""
    args = ["vision", "train", "--out", str(out_dir), "--images", str(images), "--photos", str(photos)]
    args += ["--epochs", str(epochs), "--imgsz", str(imgsz), "--batch", str(batch), "--seed", str(seed)]
    args += ["--base", str(base)] if base is not None else []
    return "YOLO_OFFLINE=1 YOLO_AUTOINSTALL=false " + shlex.join(args)


def _offline() -> None:
    """Ultralytics must neither fetch weights nor install packages behind the project's back."""
    os.environ.setdefault("YOLO_OFFLINE", "1")
    os.environ.setdefault("YOLO_AUTOINSTALL", "false")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fit(
    data_yaml: str, out_dir: Path, *, epochs: int, imgsz: int, batch: int, seed: int, base: str = ARCHITECTURE
) -> Path:
    _offline()
    from ultralytics import YOLO

    model = YOLO(base)
    model.train(
        data=data_yaml,
        epochs=epochs,
        imgsz=imgsz,
        batch=batch,
        seed=seed,
        deterministic=True,
        device="cpu",
        workers=0,
        pretrained=base != ARCHITECTURE,
        amp=False,
        plots=False,
        close_mosaic=max(1, epochs // 5),  # mosaics teach small, cut-off actors; the last epochs see whole frames
        **({} if base == ARCHITECTURE else FINE_TUNE),
        val=False,  # the held-out split stays held out: it is scored once, after training
        project=str(out_dir),
        name="train",
        exist_ok=True,
    )
    return Path(model.trainer.best)  # type: ignore[attr-defined]  # ultralytics declares trainer as None until train()


def evaluate(
    weights: Path, data_yaml: str, *, imgsz: int, batch: int = 16, names: tuple[str, ...] = CLASS_NAMES
) -> tuple[Metrics, dict[str, float]]:
    """mAP on the held-out split, and per class the confidence with the best F1."""
    _offline()
    from ultralytics import YOLO

    result = YOLO(str(weights)).val(
        data=data_yaml, split="val", imgsz=imgsz, batch=batch, device="cpu", workers=0, plots=False, verbose=False
    )
    box = result.box
    counts = _instances(result)
    per_class: dict[str, ClassMetrics] = {}
    thresholds = dict.fromkeys(names, DEFAULT_THRESHOLD)
    for row, class_id in enumerate(box.ap_class_index):
        name = names[int(class_id)]
        precision, recall, ap50, ap = box.class_result(row)
        per_class[name] = ClassMetrics(_r(ap50), _r(ap), _r(precision), _r(recall), counts.get(int(class_id), 0))
        thresholds[name] = _r(float(box.px[int(box.f1_curve[row].argmax())]), 2)
    overall = Metrics("val", _r(box.map50), _r(box.map), _r(box.mp), _r(box.mr), per_class)
    return overall, thresholds


def _instances(result: Any) -> dict[int, int]:
    per_class = getattr(result, "nt_per_class", None)
    return {} if per_class is None else {i: int(n) for i, n in enumerate(per_class)}


def _r(value: float, digits: int = 4) -> float:
    return round(float(value), digits)


def train_default_model(
    out_dir: Path,
    *,
    images: int = 2000,
    photos: int = 600,
    epochs: int = 10,
    imgsz: int = 352,
    batch: int = 16,
    seed: int = 0,
    base: Path | None = None,
    models_dir: Path = MODELS_DIR,
    command: str | None = None,
) -> ModelCard:
    """Render the data set (or reuse one rendered with the same arguments), train yolov8n on it — from random
    weights, or from ``base`` — score the held-out split, install weights and card."""
    out_dir = Path(out_dir).resolve()
    dataset = write_dataset(out_dir / "dataset", images=images, photos=photos, seed=seed)
    started = time.monotonic()
    start = ARCHITECTURE if base is None else str(base)
    best = _fit(dataset.data_yaml, out_dir, epochs=epochs, imgsz=imgsz, batch=batch, seed=seed, base=start)
    wall_s = time.monotonic() - started
    metrics, thresholds = evaluate(best, dataset.data_yaml, imgsz=imgsz, batch=batch)
    models_dir.mkdir(parents=True, exist_ok=True)
    weights = models_dir / WEIGHTS_NAME
    shutil.copyfile(best, weights)
    card = _card(
        weights, dataset, metrics, thresholds, epochs=epochs, imgsz=imgsz, batch=batch, seed=seed, wall_s=wall_s
    )
    run = {"images": images, "photos": photos, "epochs": epochs, "imgsz": imgsz, "batch": batch, "seed": seed}
    card = msgspec.structs.replace(
        card,
        command=command or training_command(out_dir=out_dir, base=base, **run),
        base_sha256=sha256_of(base) if base is not None else "",
        base_command=_base_command(base),
    )
    (models_dir / CARD_NAME).write_bytes(msgspec.json.format(msgspec.json.encode(card), indent=2) + b"\n")
    return card


def _card(
    weights: Path, dataset: DatasetSummary, metrics: Metrics, thresholds: dict[str, float], **run: Any
) -> ModelCard:
    import torch
    import ultralytics

    return ModelCard(
        weights=weights.name,
        sha256=sha256_of(weights),
        architecture=ARCHITECTURE,
        ultralytics_version=str(ultralytics.__version__),
        torch_version=str(torch.__version__),
        class_map={str(i): name for i, name in enumerate(CLASS_NAMES)},
        thresholds=thresholds,
        command="",
        dataset=dataset,
        epochs=run["epochs"],
        imgsz=run["imgsz"],
        batch=run["batch"],
        seed=run["seed"],
        device="cpu",
        train_wall_s=round(run["wall_s"], 1),
        trained_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        metrics=metrics,
    )


def fine_tune(
    data_yaml: Path,
    out_dir: Path,
    *,
    base: Path = MODELS_DIR / WEIGHTS_NAME,
    epochs: int = 50,
    imgsz: int = 640,
    batch: int = 16,
    seed: int = 0,
) -> ModelCard:
    """Train ``base`` further on a deployment's own labelled footage (a YOLO data set), score its ``val`` split,
    and write ``<out_dir>/<data set folder>.pt`` with its card beside it, ready for a node's ``detector.weights``."""
    data_yaml, out_dir = Path(data_yaml).resolve(), Path(out_dir).resolve()
    names, dataset = _own_dataset(data_yaml, seed)
    started = time.monotonic()
    best = _fit(str(data_yaml), out_dir, epochs=epochs, imgsz=imgsz, batch=batch, seed=seed, base=str(base))
    wall_s = time.monotonic() - started
    metrics, thresholds = evaluate(best, str(data_yaml), imgsz=imgsz, batch=batch, names=names)
    weights = out_dir / f"{data_yaml.parent.name}.pt"
    shutil.copyfile(best, weights)
    run = {"epochs": epochs, "imgsz": imgsz, "batch": batch, "seed": seed, "wall_s": wall_s}
    card = msgspec.structs.replace(
        _card(weights, dataset, metrics, thresholds, **run),
        class_map={str(i): name for i, name in enumerate(names)},
        command="YOLO_OFFLINE=1 YOLO_AUTOINSTALL=false "
        + shlex.join(
            [
                "vision",
                "train",
                "--data",
                str(data_yaml),
                "--out",
                str(out_dir),
                "--base",
                str(base),
                "--epochs",
                str(epochs),
                "--imgsz",
                str(imgsz),
                "--batch",
                str(batch),
                "--seed",
                str(seed),
            ]
        ),
        base_sha256=sha256_of(base),
        base_command=_base_command(base),
    )
    weights.with_suffix(".json").write_bytes(msgspec.json.format(msgspec.json.encode(card), indent=2) + b"\n")
    return card


def _own_dataset(data_yaml: Path, seed: int) -> tuple[tuple[str, ...], DatasetSummary]:
    """The class names of a deployment's data set (each must be a domain class) and its size."""
    import yaml

    from mobile_contract.sites import DomainClass

    spec = yaml.safe_load(data_yaml.read_text())
    raw = spec.get("names", {})
    names = tuple(raw[i] for i in sorted(raw)) if isinstance(raw, dict) else tuple(raw)
    unknown = [n for n in names if n not in {c.value for c in DomainClass}]
    if unknown:
        known = ", ".join(c.value for c in DomainClass)
        raise ValueError(f"{data_yaml}: classes {unknown} are not domain classes; name them {known}")
    root = Path(spec.get("path") or data_yaml.parent)
    count = {split: len(list((root / spec[split]).glob("*.*"))) for split in ("train", "val")}
    summary = DatasetSummary(
        str(data_yaml), seed, count["train"] + count["val"], count["train"], count["val"], 0, 0, {}
    )
    return names, summary


def _base_command(base: Path | None) -> str:
    """The command recorded in the base weights' own card, if they have one beside them."""
    card = base.with_suffix(".json") if base is not None else None
    if card is None or not card.exists():
        return ""
    return str(msgspec.json.decode(card.read_bytes()).get("command", ""))


def load_card(path: Path = MODELS_DIR / CARD_NAME) -> ModelCard:
    """The committed model card, validated."""
    return msgspec.json.decode(Path(path).read_bytes(), type=ModelCard)
