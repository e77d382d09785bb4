"""The durable outbox (本地待发队列): no alert is lost while the API or S3 is down.

Every alert revision is written here, atomically (temporary file, fsync,
rename, fsync of the folder), before any network attempt:
``alerts/<alert-id>/<revision>.json`` holds the ``AlertUpsert`` exactly as it
will be sent, and ``media/<alert-id>/<sha256>`` the snapshot and clip bytes
it refers to. A file is removed only after the API answered 2xx; media go when no
waiting alert refers to them. Alerts the API refuses for good (a 4xx that
retrying cannot fix) move to ``rejected/`` with the answer beside them, for
an operator to look at — never silently dropped; their media stay until they
are sent. Once the cause is fixed (a camera missing from the registry, say),
``requeue`` puts them back in the queue (``vision outbox resend``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import uuid
from pathlib import Path

import msgspec

from mobile_contract.alerts import AlertUpsert


class Pending(msgspec.Struct, frozen=True):
    path: Path
    alert_id: uuid.UUID
    revision: int


class Rejected(msgspec.Struct, frozen=True):
    """A revision the API refused, with the answer it gave."""

    path: Path
    alert_id: uuid.UUID
    revision: int
    reason: str


def write_atomically(path: Path, data: bytes) -> None:
    """The file is either absent or complete, even after a power cut."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with tmp.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


class Outbox:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.alerts = root / "alerts"
        self.media = root / "media"
        self.rejected = root / "rejected"
        for folder in (self.alerts, self.media, self.rejected):
            folder.mkdir(parents=True, exist_ok=True)

    def put_media(self, alert_id: uuid.UUID, data: bytes) -> str:
        """Store an alert's media bytes under their SHA-256; returns the hex digest."""
        digest = hashlib.sha256(data).hexdigest()
        path = self.media / str(alert_id) / digest
        if not path.exists():
            write_atomically(path, data)
        return digest

    def media_bytes(self, alert_id: uuid.UUID, sha256: str) -> bytes:
        return (self.media / str(alert_id) / sha256).read_bytes()

    def put(self, upsert: AlertUpsert) -> Path:
        """Queue one revision; its media must already be in the outbox."""
        missing = [m.sha256 for m in upsert.media if not (self.media / str(upsert.id) / m.sha256).exists()]
        if missing:
            raise FileNotFoundError(f"alert {upsert.id} refers to media not in the outbox: {missing}")
        path = self.alerts / str(upsert.id) / f"{upsert.revision:08d}.json"
        write_atomically(path, msgspec.json.encode(upsert))
        return path

    def pending(self) -> list[Pending]:
        """Waiting revisions, oldest alert first, revisions in order within an alert."""
        found = [Pending(path, uuid.UUID(path.parent.name), int(path.stem)) for path in _revisions(self.alerts)]
        return sorted(found, key=lambda p: (str(p.alert_id), p.revision))  # UUIDv7 text sorts by creation time

    def rejected_revisions(self) -> list[Rejected]:
        """Refused revisions, in the order ``pending`` would send them."""
        found = [
            Rejected(path, uuid.UUID(path.parent.name), int(path.stem), _reason(path))
            for path in _revisions(self.rejected)
        ]
        return sorted(found, key=lambda r: (str(r.alert_id), r.revision))

    def requeue(self, alert_ids: set[uuid.UUID] | None = None) -> list[Rejected]:
        """Put refused revisions (of ``alert_ids``, or all) back in the queue; returns those moved.

        The reason file goes with the move: if the API refuses again, a new one is written.
        """
        moved = []
        for refused in self.rejected_revisions():
            target = self.alerts / str(refused.alert_id) / refused.path.name
            if (alert_ids is not None and refused.alert_id not in alert_ids) or target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            refused.path.replace(target)
            _reason_path(refused.path).unlink(missing_ok=True)
            self._remove_empty(refused.path.parent)
            moved.append(refused)
        return moved

    def read(self, pending: Pending) -> AlertUpsert:
        return _decode(pending.path)

    def done(self, pending: Pending) -> None:
        """Delivered: forget the revision, then any media nothing else waits for."""
        upsert = self.read(pending)
        pending.path.unlink()
        self._remove_empty(pending.path.parent)
        self._collect(upsert)

    def reject(self, pending: Pending, reason: str) -> None:
        target = self.rejected / str(pending.alert_id) / pending.path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(_reason_path(target), reason.encode())
        pending.path.replace(target)
        self._remove_empty(pending.path.parent)

    def _collect(self, delivered: AlertUpsert) -> None:
        """Remove the delivered revision's media unless a waiting or a refused revision still needs them."""
        kept = [*(self.alerts / str(delivered.id)).glob("*.json"), *(self.rejected / str(delivered.id)).glob("*.json")]
        still_needed = {m.sha256 for path in kept for m in _decode(path).media}
        folder = self.media / str(delivered.id)
        for media in delivered.media:
            if media.sha256 not in still_needed:
                (folder / media.sha256).unlink(missing_ok=True)
        self._remove_empty(folder)

    @staticmethod
    def _remove_empty(folder: Path) -> None:
        with contextlib.suppress(OSError):  # other revisions still wait there
            folder.rmdir()


def _revisions(root: Path) -> list[Path]:
    """``root/<alert>/<revision>.json``, read while another thread may deliver an alert's last revision and
    remove its folder (pathlib's glob then raised FileNotFoundError): a folder gone meanwhile has none."""
    return [path for folder in _entries(root) for path in _entries(folder) if path.suffix == ".json"]


def _entries(folder: Path) -> list[Path]:
    try:
        return [Path(entry.path) for entry in os.scandir(folder)]
    except (FileNotFoundError, NotADirectoryError):
        return []


def _decode(path: Path) -> AlertUpsert:
    return msgspec.json.decode(path.read_bytes(), type=AlertUpsert)


def _reason_path(revision: Path) -> Path:
    return revision.with_suffix(".reason.txt")


def _reason(revision: Path) -> str:
    try:
        return _reason_path(revision).read_text()
    except FileNotFoundError:
        return ""
