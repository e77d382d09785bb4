#!/usr/bin/env python3
"""Offline verifier of a case evidence package (证据包校验). Needs only the Python 3 standard library.

Usage:  python3 verify.py [PACKAGE_DIR_OR_ZIP]     (default: the folder this script is in)
Exit status 0 when every check passes, 1 when any fails; each failure names the file or manifest line.

What it checks, without trusting the server that made the package:
1. every file listed in manifest.jsonl exists with the listed SHA-256 and size, and no file is unlisted;
2. each manifest line is the line anchors.json recorded (so a changed line is named); the last
   manifest line in turn holds the SHA-256 of anchors.json, so every byte is covered by a hash;
3. every audit entry in audit.jsonl hashes to its entry_hash:
   entry_hash = SHA-256( prev_hash (hex text, UTF-8) + canonical JSON of the entry ),
   the canonical JSON being the entry's fields other than prev_hash/entry_hash, keys sorted,
   no spaces, UTF-8 (not \\u-escaped), floats written the way msgspec writes them;
   entries with consecutive seq numbers must link (prev_hash = the earlier entry_hash);
4. the case's own history (history.jsonl) is an unbroken chain from 64 zeros, each
   event_hash = SHA-256( prev_hash + body ), its head is the one in anchors.json, and each
   event is anchored by an audit entry whose after_hash is that event_hash;
5. each record file and case version hashes to the after_hash of its audit entry;
6. each evidence file's hash, capture time, GPS, device and officers agree with the
   record that declared it; each document's hash (HTML and sealed PDF) is the one its issuing
   step recorded;
7. the chain-of-custody report (custody/custody.csv) has one row per audit entry about the
   evidence and the records that declared it, no more and no fewer.
To bind the package to the organ's live audit chain, compare the printed audit head and the
SHA-256 of anchors.json with the organ's chain (entry "case.package_export").
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import sys
import zipfile
from pathlib import Path

GENESIS = "0" * 64
AUDIT_FIELDS = (
    "actor_id", "actor_role", "department_id", "device_id", "action", "entity_type", "entity_id", "before_hash",
    "after_hash", "detail", "seq", "occurred_at",
)  # fmt: skip
UNLISTED_OK = {"manifest.jsonl"}
CUSTODY_RECORD_ACTIONS = ("record.create", "record.update")


def canonical_float(x: float) -> str:
    """msgspec's float text: shortest round-trip digits; fixed notation for 1e-5 <= |x| < 1e16."""
    if math.isnan(x) or math.isinf(x):
        return "null"
    text = repr(x)
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    if int(exponent) == -5:
        sign, digits = ("-", mantissa[1:]) if mantissa.startswith("-") else ("", mantissa)
        return f"{sign}0.0000{digits.replace('.', '')}"
    return f"{mantissa}e{int(exponent)}"


def canonical(value: object) -> str:
    """Sorted-key JSON without spaces, as msgspec.json.encode(value, order="sorted") writes it."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return canonical_float(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{canonical(k)}:{canonical(value[k])}" for k in sorted(value)) + "}"
    raise TypeError(f"not JSON: {type(value).__name__}")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def audit_hash(entry: dict) -> str:
    body = {k: entry[k] for k in AUDIT_FIELDS}
    return sha256(entry["prev_hash"].encode() + canonical(body).encode())


class Package:
    """The package's files, read from a folder or straight from the zip archive."""

    def __init__(self, source: Path) -> None:
        self.files: dict[str, bytes] = {}
        if source.is_file():
            with zipfile.ZipFile(source) as archive:
                names = [n for n in archive.namelist() if not n.endswith("/")]
                prefix = _common_prefix(names)
                self.files = {n[len(prefix) :]: archive.read(n) for n in names}
        else:
            self.files = {p.relative_to(source).as_posix(): p.read_bytes() for p in source.rglob("*") if p.is_file()}
        self.files = {k: v for k, v in self.files.items() if "__pycache__" not in k}

    def lines(self, name: str) -> list[tuple[int, str]]:
        text = self.files.get(name, b"").decode("utf-8", errors="replace")
        # Only "\n" ends a line: str.splitlines() would also split inside JSON strings holding U+2028.
        return [(n, line) for n, line in enumerate(text.split("\n"), start=1) if line.strip()]

    def parsed(self, name: str, report: Report) -> list[tuple[int, dict]]:
        """The JSON objects of a JSON-lines file; a line that is not one is reported by number."""
        found = []
        for n, line in self.lines(name):
            try:
                value = json.loads(line)
            except ValueError:
                value = None
            if isinstance(value, dict):
                found.append((n, value))
            else:
                report.fail(f"{name} line {n}", "not a valid JSON object (altered)")
        return found


def _common_prefix(names: list[str]) -> str:
    first = names[0].split("/")[0] + "/" if names and "/" in names[0] else ""
    return first if first and all(n.startswith(first) for n in names) else ""


class Report:
    def __init__(self) -> None:
        self.failures: list[str] = []
        self.notes: list[str] = []

    def fail(self, where: str, why: str) -> None:
        self.failures.append(f"FAILED  {where}: {why}")


def check_lines(pkg: Package, anchors: dict, report: Report) -> None:
    """Each manifest line but the last (which names anchors.json) is the one anchors.json recorded."""
    recorded = anchors.get("manifest_lines", [])
    lines = pkg.lines("manifest.jsonl")
    if len(lines) != len(recorded) + 1:
        report.fail("manifest.jsonl", f"{len(lines)} lines where anchors.json recorded {len(recorded)} + 1")
    for n, line in lines[: len(recorded)]:
        if sha256(line.encode()) != recorded[n - 1]:
            report.fail(f"manifest.jsonl line {n}", "altered (differs from the line anchors.json recorded)")


def check_files(pkg: Package, report: Report) -> list[dict]:
    """Every listed file against its manifest line; returns the parsed lines."""
    entries, listed = [], set()
    for n, entry in pkg.parsed("manifest.jsonl", report):
        entry["_line"] = n
        entries.append(entry)
        path = entry.get("path")
        if path is None:
            continue
        listed.add(path)
        data = pkg.files.get(path)
        if data is None:
            report.fail(path, f"missing (manifest.jsonl line {n})")
        elif sha256(data) != entry.get("sha256") or len(data) != entry.get("size"):
            also = " (or its manifest line)" if entry.get("kind") == "anchors" else ""
            report.fail(
                path, f"content altered{also}: SHA-256 {sha256(data)}, manifest line {n} lists {entry.get('sha256')}"
            )
    for name in sorted(set(pkg.files) - listed - UNLISTED_OK):
        report.fail(name, "not listed in manifest.jsonl")
    return entries


def check_audit(pkg: Package, report: Report) -> list[dict]:
    entries, previous = [], None
    for n, entry in pkg.parsed("audit.jsonl", report):
        where = f"audit.jsonl line {n} (seq {entry.get('seq')})"
        if any(k not in entry for k in (*AUDIT_FIELDS, "prev_hash", "entry_hash")):
            report.fail(where, "fields missing (altered)")
            continue
        if audit_hash(entry) != entry["entry_hash"]:
            report.fail(where, "entry does not hash to its entry_hash (altered)")
        if previous is not None:
            if entry["seq"] <= previous["seq"]:
                report.fail(where, "out of order")
            elif entry["seq"] == previous["seq"] + 1 and entry["prev_hash"] != previous["entry_hash"]:
                report.fail(where, "does not link to the entry before it")
        entries.append(entry)
        previous = entry
    return entries


def check_history(pkg: Package, anchors: dict, audit: list[dict], report: Report) -> list[dict]:
    anchored = {e["after_hash"] for e in audit if e["entity_type"] == "case" and e["action"].startswith("case.")}
    events, prev = [], GENESIS
    for n, event in pkg.parsed("history.jsonl", report):
        where = f"history.jsonl line {n}"
        text = str(event.get("body", ""))
        if event.get("prev_hash") != prev or sha256(prev.encode() + text.encode()) != event.get("event_hash"):
            report.fail(where, "breaks the case's chain (altered, removed or reordered)")
        if event.get("event_hash") not in anchored:
            report.fail(where, "not anchored by any audit entry")
        try:
            body = json.loads(text)
        except ValueError:
            body = {}
        if body.get("seq") != n:
            report.fail(where, f"sequence number {body.get('seq')} where {n} was expected")
        events.append(body)
        prev = str(event.get("event_hash", ""))  # a missing hash breaks the chain at the next line, not the verifier
    if prev != anchors.get("case_chain_head"):
        report.fail("history.jsonl", "its last hash is not the case chain head in anchors.json")
    return events


def content_hashes(audit: list[dict], entity_type: str, entity_id: str | None) -> list[str]:
    """The content hashes the chain recorded for a case or record, oldest first (create, then updates)."""
    actions = {f"{entity_type}.create", f"{entity_type}.update"}
    return [
        e["after_hash"]
        for e in audit
        if e["entity_type"] == entity_type and e["entity_id"] == entity_id and e["action"] in actions
    ]


def check_records(pkg: Package, manifest: list[dict], audit: list[dict], report: Report) -> dict[str | None, dict]:
    records: dict[str | None, dict] = {}
    for line in (m for m in manifest if m.get("kind") == "record"):
        data = pkg.files.get(line.get("path") or "", b"")
        hashes = content_hashes(audit, "record", line.get("record_id"))
        if not hashes or sha256(data) != hashes[-1]:
            report.fail(str(line.get("path")), "does not match the hash in its audit entry (record altered)")
        try:
            records[line.get("record_id")] = json.loads(data)
        except ValueError:
            records[line.get("record_id")] = {}
    case_lines = [m for m in manifest if m.get("kind") == "case_version"]
    for line in case_lines:
        data = pkg.files.get(line.get("path") or "", b"")
        if sha256(data) not in content_hashes(audit, "case", line.get("case_id")):
            report.fail(str(line.get("path")), "this case version is not the one the audit chain recorded")
    return records


CAPTURE_FIELDS = ("sha256", "captured_at", "gps", "device_id", "media_type", "size")


def check_evidence(manifest: list[dict], records: dict[str | None, dict], report: Report) -> None:
    for line in (m for m in manifest if m.get("kind") == "evidence"):
        where = f"manifest.jsonl line {line['_line']} (evidence {line.get('evidence_id')})"
        record = records.get(line.get("record_id"), {})
        declared = next((e for e in record.get("evidence", []) if e.get("id") == line.get("evidence_id")), None)
        if declared is None:
            report.fail(where, "no record in the package declares this item")
            continue
        claimed = {"sha256": line.get("declared_sha256"), **{k: line.get(k) for k in CAPTURE_FIELDS[1:]}}
        for field in CAPTURE_FIELDS:
            if claimed.get(field) != declared.get(field):
                report.fail(where, f"{field} differs from the record's declaration")
        if line.get("path") and line.get("sha256") != declared.get("sha256"):
            report.fail(line["path"], "its bytes are not the ones captured (hash differs from the declaration)")
        if line.get("officers") != record.get("officers"):
            report.fail(where, "officers differ from the record")


def check_documents(manifest: list[dict], events: list[dict], report: Report) -> None:
    """Each document's HTML and sealed PDF against the hashes its issuing step recorded."""
    issued = [d for e in events for d in e.get("documents", [])]
    recorded = {
        "document": {(d.get("number"), d.get("html_sha256")) for d in issued},
        "document_pdf": {(d.get("number"), d.get("pdf_sha256")) for d in issued if d.get("pdf_sha256")},
    }
    for line in (m for m in manifest if m.get("kind") in recorded):
        if (line.get("number"), line.get("sha256")) not in recorded[line["kind"]]:
            report.fail(str(line.get("path")), "not the document the case's history says was issued")


def custody_rows(pkg: Package) -> list[dict]:
    """The rows of custody/custody.csv (the named chain-of-custody report)."""
    data = pkg.files.get("custody/custody.csv")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")))) if data else []


def check_custody(pkg: Package, manifest: list[dict], audit: list[dict], report: Report) -> list[dict]:
    """Every audit entry about the evidence (and its records' create/update) is one row of the report."""
    rows = custody_rows(pkg)
    items = {m.get("evidence_id") for m in manifest if m.get("kind") == "evidence"}
    records = {m.get("record_id") for m in manifest if m.get("kind") == "evidence"}
    expected = {
        e["seq"]
        for e in audit
        if (e["entity_type"] == "evidence" and e["entity_id"] in items)
        or (e["entity_type"] == "record" and e["entity_id"] in records and e["action"] in CUSTODY_RECORD_ACTIONS)
    }
    listed = [int(r["序号"]) for r in rows if r.get("序号")]
    if items and (sorted(listed) != sorted(expected) or len(set(listed)) != len(listed)):
        report.fail("custody/custody.csv", "its events are not the package's audit entries one to one")
    return rows


def custody(rows: list[dict]) -> list[str]:
    out = ["", "保管链 / chain of custody (custody/custody.csv, custody/custody.pdf)"]
    for r in rows:
        who = f"{r['操作人']}（{r['角色']}，执法证号 {r['执法证号']}）设备 {r['设备']}"
        out.append(f"  #{r['序号'] or '—'} {r['时间（北京时间）']} {r['事件']} {r['证据']} {who}")
    return out


def load_anchors(pkg: Package, report: Report) -> dict:
    try:
        anchors = json.loads(pkg.files["anchors.json"])
    except ValueError:
        anchors = None
    if not isinstance(anchors, dict):
        report.fail("anchors.json", "not valid JSON (altered)")
        return {}
    return anchors


def verify(source: Path) -> Report:
    pkg, report = Package(source), Report()
    if "manifest.jsonl" not in pkg.files or "anchors.json" not in pkg.files:
        report.fail(str(source), "manifest.jsonl or anchors.json missing: not an evidence package")
        return report
    anchors = load_anchors(pkg, report)
    check_lines(pkg, anchors, report)
    manifest = check_files(pkg, report)
    audit = check_audit(pkg, report)
    events = check_history(pkg, anchors, audit, report)
    records = check_records(pkg, manifest, audit, report)
    check_evidence(manifest, records, report)
    check_documents(manifest, events, report)
    rows = check_custody(pkg, manifest, audit, report)
    head = anchors.get("audit_head", {})
    report.notes = [
        f"案件 case {anchors.get('case_id')}  导出 exported {anchors.get('exported_at')}",
        f"留痕链头 audit head: seq {head.get('seq')} hash {head.get('entry_hash')}",
        f"anchors.json SHA-256 {sha256(pkg.files['anchors.json'])} (compare: the organ's case.package_export entry)",
        *custody(rows),
    ]
    return report


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    report = verify(source)
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", errors="replace")
    for line in report.notes:
        print(line, file=out)
    for line in report.failures:
        print(line, file=out)
    verdict = "VERIFIED: every check passed" if not report.failures else f"{len(report.failures)} check(s) FAILED"
    print(verdict, file=out)
    out.flush()
    return 0 if not report.failures else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
