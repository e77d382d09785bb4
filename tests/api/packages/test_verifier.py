"""The evidence package: an untouched one verifies with only Python; any altered byte is named."""

import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.packages import verifier
from storage.canonical import canonical_json
from tests.api.cases.support import open_case, take, to_notified, waive
from tests.api.evidence.conftest import Declared, payload, upload_single
from tests.api.evidence.corrupt import flip_byte
from tests.factories import evidence_item


@pytest.fixture
async def package(client, inspector, partner, head, tmp_path) -> Path:
    """A decided case with two uploaded photos and one never uploaded, exported and unzipped."""
    items = [evidence_item(payload(3000)), evidence_item(payload(5000)), evidence_item(payload(100))]
    case_id = await open_case(client, inspector, partner, evidence=[i for i, _ in items])
    record_id = (await client.get(f"/records?case_id={case_id}", headers=inspector.headers)).json()["items"][0]["id"]
    for item, data in items[:2]:
        await upload_single(client, inspector, Declared(id=item["id"], record_id=record_id, data=data))
    await to_notified(client, head, inspector, case_id)
    await waive(client, inspector, case_id)
    await take(client, head, case_id, {"action": "not_penalise", "ground": "first_violation", "reason": "首次违法"})
    answer = await client.get(f"/cases/{case_id}/package", headers=head.headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    (tmp_path / "case.zip").write_bytes(answer.content)
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        archive.extractall(tmp_path / "out")
    [root] = (tmp_path / "out").iterdir()
    return root


def run_isolated(script: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Python with no site-packages and no environment: only the standard library is importable."""
    return subprocess.run(
        [sys.executable, "-I", "-S", str(script), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_untouched_package_verifies_with_only_the_standard_library(package: Path, tmp_path: Path) -> None:
    done = run_isolated(package / "verify.py", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "VERIFIED" in done.stdout and "保管链" in done.stdout
    zipped = run_isolated(package / "verify.py", str(tmp_path / "case.zip"), cwd=tmp_path)
    assert zipped.returncode == 0, zipped.stdout
    names = {p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file()}
    assert {"manifest.jsonl", "anchors.json", "audit.jsonl", "history.jsonl", "verify.py", "README.txt"} <= names
    assert sum(n.startswith("evidence/") for n in names) == 2
    missing = [json.loads(line) for line in (package / "manifest.jsonl").read_text().splitlines()]
    assert [m["status"] for m in missing if m["kind"] == "evidence" and m["path"] is None] == ["declared"]


def every_file(package: Path) -> list[str]:
    return sorted(p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file())


def test_one_altered_byte_in_any_file_is_named(package: Path, tmp_path: Path) -> None:
    pristine = tmp_path / "pristine-verify.py"
    shutil.copy(package / "verify.py", pristine)
    for name in every_file(package):
        copy = tmp_path / "tampered" / name.replace("/", "_")
        shutil.copytree(package, copy)
        target = copy / name
        data = bytearray(target.read_bytes())
        data[len(data) // 2] ^= 0x01
        target.write_bytes(bytes(data))
        done = run_isolated(pristine, str(copy), cwd=tmp_path) if name == "verify.py" else None
        report = verifier.verify(copy)
        failures = "\n".join(report.failures)
        expected = name if name != "manifest.jsonl" else "manifest.jsonl line"
        assert report.failures and expected in failures, f"{name}: {failures}"
        if done is not None:
            assert done.returncode == 1 and "verify.py" in done.stdout


def test_an_altered_manifest_line_is_named_even_with_its_anchor_rewritten(package: Path) -> None:
    manifest = package / "manifest.jsonl"
    lines = manifest.read_text().split("\n")
    n, line = next((i, json.loads(text)) for i, text in enumerate(lines) if '"kind":"evidence"' in text)
    line["gps"] = {"lat": 30.0, "lon": 120.0, "accuracy_m": 3.0}  # move the photo somewhere else
    lines[n] = json.dumps(line, ensure_ascii=False, separators=(",", ":"))
    manifest.write_text("\n".join(lines))
    failures = "\n".join(verifier.verify(package).failures)
    assert f"manifest.jsonl line {n + 1}" in failures and "gps differs" in failures
    anchors = json.loads((package / "anchors.json").read_text())
    anchors["manifest_lines"][n] = verifier.sha256(lines[n].encode())  # a forger fixes the anchor too …
    (package / "anchors.json").write_text(json.dumps(anchors))
    failures = "\n".join(verifier.verify(package).failures)
    assert "anchors.json" in failures and f"manifest.jsonl line {n + 1}" in failures  # … and is still caught


def test_a_removed_history_step_breaks_the_case_chain(package: Path) -> None:
    history = package / "history.jsonl"
    lines = history.read_text().splitlines()
    history.write_text("\n".join(lines[:1] + lines[2:]) + "\n")
    failures = "\n".join(verifier.verify(package).failures)
    assert "history.jsonl line 2" in failures


async def test_export_is_audited_with_the_anchors_hash(client, pool, package: Path) -> None:
    anchors_sha = verifier.sha256((package / "anchors.json").read_bytes())
    case_id = json.loads((package / "anchors.json").read_text())["case_id"]
    row = await pool.fetchrow(
        "SELECT after_hash, detail FROM audit_log WHERE entity_id = $1 AND action = 'case.package_export'", case_id
    )
    assert row["after_hash"] == anchors_sha
    exported = await pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'evidence.export' AND detail::jsonb ->> 'case_id' = $1", case_id
    )
    assert exported == 2, "one entry per object in the package"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_the_verifiers_canonical_json_is_byte_for_byte_msgspecs(value) -> None:
    assert verifier.canonical(value).encode() == canonical_json(value)


@pytest.mark.parametrize("x", [1e16, 1.5e-7, 1e-5, 1.5000000000000002e-05, 5e-324, -0.0, 1e300, 0.1, -2.5e-5])
def test_float_text_matches_msgspec(x: float) -> None:
    assert verifier.canonical_float(x) == msgspec.json.encode(x).decode()


async def test_an_object_changed_in_storage_is_named_in_the_exported_package(
    client, settings, inspector, partner, head, tmp_path
) -> None:
    item, data = evidence_item(payload(4000))
    case_id = await open_case(client, inspector, partner, evidence=[item])
    record_id = (await client.get(f"/records?case_id={case_id}", headers=inspector.headers)).json()["items"][0]["id"]
    await upload_single(client, inspector, Declared(id=item["id"], record_id=record_id, data=data))
    flip_byte(settings.data_dir.resolve() / "s3", data[:41], len(data), 1000, keep_store_crc_valid=True)
    answer = await client.get(f"/cases/{case_id}/package", headers=head.headers)
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        archive.extractall(tmp_path)
    failures = "\n".join(verifier.verify(tmp_path / f"case-{case_id}").failures)
    assert f"evidence/{item['id']}.jpg: its bytes are not the ones captured" in failures
