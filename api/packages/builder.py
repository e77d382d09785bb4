"""Exporting one case as a court-ready evidence package (证据包).

The archive holds every evidence object as stored (the verified version), the
case's versions and records as the exact canonical JSON whose SHA-256 the
audit chain recorded, the numbered documents, the case's hash-chained
history, the audit-chain excerpt for the case, its records and evidence, a
manifest with one line per file, ``anchors.json`` (the chain heads at export
and the hash of every manifest line) and ``verify.py``, a standard-library
script that checks all of it offline (see api/packages/verifier.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import mimetypes
import uuid
import zipfile
from pathlib import Path
from typing import Any

import msgspec

from api.auth.principal import Principal
from api.cases import workflow
from api.custody import service as custody
from mobile_contract.records import CaseContent, RecordContent
from storage import audit, numbered_documents, packages, reviews, versioned
from storage import workflow as workflow_sql
from storage.audit import GENESIS_HASH, StoredAuditEntry
from storage.canonical import canonical_json
from storage.db import Connection
from storage.objects import ObjectStore
from storage.versioned import CASES

VERIFIER = Path(__file__).with_name("verifier.py")
README = Path(__file__).with_name("README.txt")
STORED = {"evidence"}  # media is already compressed; text files are deflated


class Built(msgspec.Struct, frozen=True, kw_only=True):
    archive: Path
    anchors_sha256: str
    evidence_ids: list[uuid.UUID]  # items whose bytes are in the package
    files: int


class Writer:
    """Files of the package under ``root`` and their manifest lines."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.lines: list[dict[str, Any]] = []

    def add(self, path: str, data: bytes, kind: str, **meta: Any) -> dict[str, Any]:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return self.listed(path, kind, sha256=hashlib.sha256(data).hexdigest(), size=len(data), **meta)

    def listed(self, path: str | None, kind: str, **meta: Any) -> dict[str, Any]:
        line = {"path": path, "kind": kind, **meta}
        self.lines.append(line)
        return line


def _jsonl(rows: list[Any]) -> bytes:
    return b"".join(msgspec.json.encode(r) + b"\n" for r in rows)


async def build(
    conn: Connection,
    store: ObjectStore,
    principal: Principal,
    case_id: uuid.UUID,
    workdir: Path,
    *,
    withheld: frozenset[uuid.UUID] = frozenset(),
) -> Built:
    """The package; items in ``withheld`` (不予披露, for a share) are listed without their bytes."""
    case = await workflow.case_file(conn, principal, case_id)
    writer = Writer(workdir / f"case-{case_id}")
    await _case_versions(conn, case_id, writer)
    records = await _records(conn, case_id, writer)
    evidence_ids, exported = await _evidence(conn, store, case_id, records, writer, withheld)
    await _documents(conn, case_id, writer)
    row = await workflow_sql.fetch(conn, case_id=case_id)
    events = await workflow_sql.list_events(conn, case_id=case_id)
    history = [
        {"seq": e["seq"], "prev_hash": e["prev_hash"], "event_hash": e["event_hash"], "body": e["body"]} for e in events
    ]
    writer.add("history.jsonl", _jsonl(history), "history")
    excerpt = await packages.audit_excerpt(conn, case_id=case_id, record_ids=list(records), evidence_ids=evidence_ids)
    writer.add("audit.jsonl", _jsonl([_audit_line(StoredAuditEntry(**dict(r))) for r in excerpt]), "audit")
    await _custody(conn, case_id, writer)
    writer.add("verify.py", VERIFIER.read_bytes(), "verifier")
    writer.add("README.txt", README.read_bytes(), "readme")
    head = await audit.head(conn)
    anchors = _seal(case.id, principal, writer, head, row["head_hash"] if row else GENESIS_HASH)
    archive = await asyncio.to_thread(_zip, writer.root, workdir / f"case-{case_id}.zip")
    return Built(
        archive=archive,
        anchors_sha256=hashlib.sha256(anchors).hexdigest(),
        evidence_ids=exported,
        files=len(writer.lines) + 1,
    )


async def _case_versions(conn: Connection, case_id: uuid.UUID, writer: Writer) -> None:
    current = (await versioned.fetch_current(conn, table=CASES, ids=[case_id]))[case_id]
    versions = [*await versioned.list_versions(conn, table=CASES, id=case_id), current]
    for v in versions:
        data = canonical_json(msgspec.convert(v["content"], CaseContent))
        writer.add(f"case/v{v['version']}.json", data, "case_version", case_id=str(case_id), version=v["version"])


async def _records(conn: Connection, case_id: uuid.UUID, writer: Writer) -> dict[uuid.UUID, dict[str, Any]]:
    """Each record as the canonical JSON its audit entry hashed; returns the decoded contents."""
    found = {}
    for r in await packages.case_records(conn, case_id=case_id):
        data = canonical_json(msgspec.convert(r["content"], RecordContent))
        writer.add(f"records/{r['id']}.json", data, "record", record_id=str(r["id"]))
        found[r["id"]] = json.loads(data)
    return found


async def _evidence(
    conn: Connection,
    store: ObjectStore,
    case_id: uuid.UUID,
    records: dict[uuid.UUID, dict[str, Any]],
    writer: Writer,
    withheld: frozenset[uuid.UUID],
) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    """The stored bytes of every verified item; declared items never uploaded are listed without a file.

    Returns the ids of all items and of those whose bytes are in the package."""
    ids, exported = [], []
    for item in await reviews.case_evidence_items(conn, case_id=case_id):
        content = records[item["record_id"]]
        declared = next(e for e in content["evidence"] if e["id"] == str(item["id"]))
        meta = {
            "evidence_id": str(item["id"]),
            "record_id": str(item["record_id"]),
            "status": item["status"],
            "declared_sha256": declared["sha256"],
            "officers": content["officers"],
            **{k: declared.get(k) for k in ("captured_at", "gps", "device_id", "media_type", "size")},
        }
        ids.append(item["id"])
        if item["id"] in withheld:
            writer.listed(None, "evidence", **meta, withheld=True)
            continue
        if item["status"] != "verified":
            writer.listed(None, "evidence", **meta)
            continue
        path = f"evidence/{item['id']}{mimetypes.guess_extension(item['media_type']) or '.bin'}"
        target = writer.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        await store.call(
            store.client.fget_object, store.bucket, item["object_key"], str(target), version_id=item["version_id"]
        )
        digest = await asyncio.to_thread(_file_sha256, target)
        writer.listed(path, "evidence", **(meta | {"sha256": digest, "size": target.stat().st_size}))
        exported.append(item["id"])
    return ids, exported


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


async def _documents(conn: Connection, case_id: uuid.UUID, writer: Writer) -> None:
    """Each document's HTML and, when it was issued as one, its sealed PDF."""
    for d in await numbered_documents.for_case(conn, case_id=case_id):
        name = f"documents/{d['kind']}-{d['year']}-{d['serial']}"
        writer.add(f"{name}.html", d["html"].encode(), "document", number=d["number"], document_kind=d["kind"])
        if sealed := await numbered_documents.pdf(conn, id=d["id"], department_id=None):
            writer.add(f"{name}.pdf", sealed["pdf"], "document_pdf", number=d["number"], document_kind=d["kind"])


async def _custody(conn: Connection, case_id: uuid.UUID, writer: Writer) -> None:
    """The chain-of-custody report of the case's evidence as it stands at export, as CSV and sealed PDF."""
    found = await custody.report(conn, department_id=None, case_id=case_id, evidence_id=None)
    if found is not None:
        report, owner = found
        writer.add("custody/custody.csv", custody.to_csv(report).encode(), "custody_report")
        writer.add("custody/custody.pdf", await custody.to_pdf(conn, report, owner), "custody_report")


def _audit_line(entry: StoredAuditEntry) -> dict[str, Any]:
    """An entry as the verifier re-hashes it; occurred_at in the exact text the chain hashed."""
    line = msgspec.to_builtins(msgspec.structs.asdict(entry))
    line["occurred_at"] = entry.occurred_at.astimezone(dt.UTC).isoformat()
    return line


def _seal(case_id: uuid.UUID, principal: Principal, writer: Writer, head: Any, case_head: str) -> bytes:
    """Write anchors.json (chain heads and the hash of every manifest line so far), then the manifest,
    whose last line holds the hash of anchors.json: every byte of the package is under some hash."""
    lines = _jsonl(writer.lines).splitlines()
    anchors = {
        "format": 1,
        "case_id": str(case_id),
        "exported_at": dt.datetime.now(dt.UTC).isoformat(),
        "exported_by": str(principal.user_id),
        "audit_head": {"seq": head["seq"], "entry_hash": head["entry_hash"]},
        "case_chain_head": case_head,
        "manifest_lines": [hashlib.sha256(line).hexdigest() for line in lines],
    }
    data = json.dumps(anchors, ensure_ascii=False, indent=2).encode()
    writer.add("anchors.json", data, "anchors")
    (writer.root / "manifest.jsonl").write_bytes(_jsonl(writer.lines))
    return data


def _zip(root: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            relative = path.relative_to(root.parent).as_posix()
            kind = zipfile.ZIP_STORED if relative.split("/")[1] in STORED else zipfile.ZIP_DEFLATED
            archive.write(path, relative, compress_type=kind)
    return target
