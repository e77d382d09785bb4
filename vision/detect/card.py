"""A model's identity and class map (模型身份与类别映射), recorded on every alert.

A court must be able to tell which weights raised an alert and with which
thresholds: the identity holds the SHA-256 of the weights (of every file,
for an exported model folder), the ultralytics version, the backend, the
map from the model's labels to domain classes and the per-class thresholds.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import msgspec
import ultralytics

from mobile_contract.alerts import ModelIdentity
from mobile_contract.sites import DomainClass
from mobile_contract.types import tag_of
from vision.config import DetectorConfig, ModelCard


def card_path(weights: Path) -> Path:
    """The card travels beside the weights: ``m.pt`` → ``m.json``, ``m_openvino_model/`` → ``m_openvino_model.json``."""
    return weights.with_suffix(".json") if weights.is_file() else weights.with_name(weights.name + ".json")


def load_card(config: DetectorConfig) -> ModelCard:
    weights = Path(config.weights)
    card = config.card
    if card is None:
        path = card_path(weights)
        if not path.exists():
            raise FileNotFoundError(f"model card {path} not found: write one or set detector.card in the node config")
        card = msgspec.json.decode(path.read_bytes(), type=ModelCard)
    return msgspec.structs.replace(card, name=card.name or weights.stem, version=card.version or card.trained_at)


def weights_sha256(weights: Path) -> str:
    """SHA-256 of the weights file, or of every file of an exported folder (names and bytes, sorted)."""
    digest = hashlib.sha256()
    if weights.is_file():
        _feed(digest, weights)
        return digest.hexdigest()
    for path in sorted(p for p in weights.rglob("*") if p.is_file()):
        digest.update(path.relative_to(weights).as_posix().encode() + b"\0")
        _feed(digest, path)
    return digest.hexdigest()


def _feed(digest: hashlib._Hash, path: Path) -> None:
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)


def identity(config: DetectorConfig, card: ModelCard) -> ModelIdentity:
    return ModelIdentity(
        name=card.name,
        version=card.version,
        weights_sha256=weights_sha256(Path(config.weights)),
        ultralytics_version=ultralytics.__version__,
        backend=tag_of(type(config)),
        class_map={label: cls.value for label, cls in sorted(card.class_map.items())},
        thresholds={cls.value: threshold_for(card, cls) for cls in DomainClass},
    )


def threshold_for(card: ModelCard, cls: DomainClass) -> float:
    return card.thresholds.get(cls, card.default_threshold)
