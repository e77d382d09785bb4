"""The embedded S3 on its own folder: only its S3 API reachable, same port and keys after a restart."""

from __future__ import annotations

import io
import os
import socket
import stat
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import httpx
import msgspec
import pytest
from minio import Minio

from storage import embedded
from storage.embedded import s3 as weed
from storage.objects import ObjectStore

pytestmark = [pytest.mark.integration, pytest.mark.slow]
BUCKET = "lockdown-test"
KEY = "evidence/photo.jpg"
CONTENT = b"evidence bytes " * 100


@pytest.fixture
def running(tmp_path: Path) -> Iterator[embedded.EmbeddedS3]:
    s3 = embedded.start_s3(tmp_path / "s3")
    yield s3
    s3.stop()


def client_of(s3: embedded.EmbeddedS3) -> Minio:
    return Minio(s3.endpoint, access_key=s3.access_key, secret_key=s3.secret_key, secure=False)


def stored(s3: embedded.EmbeddedS3) -> Minio:
    client = client_of(s3)
    client.make_bucket(BUCKET)
    client.put_object(BUCKET, KEY, io.BytesIO(CONTENT), len(CONTENT))
    return client


def ports(s3: embedded.EmbeddedS3) -> dict[str, int]:
    flags = [arg.removeprefix("-").split("=") for arg in s3.process.args if ".port" in arg and "=" in arg]
    return {name: int(value) for name, value in flags if value != "0"}


def answer(method: str, url: str) -> int | str:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError as exc:
        return type(exc).__name__


def test_internal_http_ports_refuse_reads_and_deletes_without_credentials(running: embedded.EmbeddedS3) -> None:
    client = stored(running)
    found = ports(running)
    http_ports = {name: port for name, port in found.items() if not name.endswith("grpc") and name != "s3.port"}
    assert {"master.port", "filer.port", "volume.port"} <= set(http_ports)
    for name, port in http_ports.items():
        base = f"http://127.0.0.1:{port}"
        for method, path in [
            ("GET", f"/buckets/{BUCKET}/{KEY}"),
            ("DELETE", f"/buckets/{BUCKET}/{KEY}"),
            ("GET", f"/col/delete?collection={BUCKET}"),
            ("GET", "/dir/assign"),
        ]:
            status = answer(method, base + path)
            assert status not in (200, 201, 202, 204), f"{name} answered {method} {path} with {status}"
    assert client.get_object(BUCKET, KEY).read() == CONTENT


def test_a_grpc_client_without_the_installations_certificate_cannot_delete_a_bucket(
    running: embedded.EmbeddedS3, tmp_path: Path
) -> None:
    client = stored(running)
    found = ports(running)
    master = f"127.0.0.1:{found['master.port']}.{found['master.port.grpc']}"
    script = f"lock\ncollection.delete -collection={BUCKET} -apply\nunlock\n"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WEED_")}
    with pytest.raises(subprocess.TimeoutExpired):  # the TLS handshake fails; weed shell retries forever
        subprocess.run(
            [embedded.weed_binary(), "shell", f"-master={master}"],
            input=script.encode(),
            capture_output=True,
            timeout=10,
            cwd=tmp_path,
            env=clean,
        )
    assert client.get_object(BUCKET, KEY).read() == CONTENT


def test_a_restart_keeps_the_port_and_keys_so_earlier_presigned_urls_work(tmp_path: Path) -> None:
    first = embedded.start_s3(tmp_path / "s3")
    try:
        stored(first)
        store = ObjectStore(client_of(first), BUCKET, retention_days=1, presign_ttl_s=600)
        url = store.presign_get(KEY, version_id=None, ttl_s=600).url
    finally:
        first.stop()
    second = embedded.start_s3(tmp_path / "s3")
    try:
        assert (second.endpoint, second.access_key, second.secret_key) == (
            first.endpoint,
            first.access_key,
            first.secret_key,
        )
        assert httpx.get(url).content == CONTENT
    finally:
        second.stop()
    credentials = tmp_path / "s3" / "s3_credentials"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600


def test_stored_objects_are_owner_only_on_disk(running: embedded.EmbeddedS3, tmp_path: Path) -> None:
    stored(running)
    volumes = [p for p in (tmp_path / "s3").rglob("*") if p.suffix in {".dat", ".idx"}]
    assert volumes
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in volumes} == {p.name: 0o600 for p in volumes}


def test_the_command_line_prints_the_kept_endpoint_and_keys(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from api.cli import app

    kept = embedded.credentials(tmp_path / "s3")
    printed = CliRunner().invoke(app, ["s3-credentials"], env={"ENFORCE_DATA_DIR": str(tmp_path)})
    assert printed.exit_code == 0, printed.output
    assert printed.output.split() == [
        f"S3_ENDPOINT=127.0.0.1:{kept.port}",
        f"S3_ACCESS_KEY={kept.access_key}",
        f"S3_SECRET_KEY={kept.secret_key}",
    ]


def test_a_start_that_loses_a_port_starts_again_on_fresh_ports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two components given one port, as choosing each port on its own did in about 0.6 % of starts."""
    chosen: list[list[int]] = []

    def repeating_once(count: int) -> list[int]:
        ports = free_ports(count)
        if not chosen:
            ports[weed.INTERNAL_PORT_FLAGS.index("volume.port")] = ports[weed.INTERNAL_PORT_FLAGS.index("master.port")]
        chosen.append(ports)
        return ports

    embedded.credentials(tmp_path / "s3")  # the S3 port, kept: chosen before
    free_ports = weed.free_ports
    monkeypatch.setattr(weed, "free_ports", repeating_once)
    s3 = embedded.start_s3(tmp_path / "s3")
    try:
        assert stored(s3).get_object(BUCKET, KEY).read() == CONTENT
    finally:
        s3.stop()
    assert len(chosen) == 2
    assert "bind: address already in use" in (tmp_path / "s3" / "weed.log").read_text()


def test_a_start_waits_for_a_stopping_weed_to_let_go_of_the_folder(tmp_path: Path) -> None:
    """An API killed and started again at once: its old weed (sent SIGTERM) still holds the filer's store."""
    folder = tmp_path / "s3"
    old = embedded.start_s3(folder)
    kept = embedded.credentials(folder)
    moved = msgspec.structs.replace(kept, port=weed.free_port())  # the old one's port is not the question here
    (folder / "s3_credentials").write_text(msgspec.json.encode(moved).decode())
    stopping = threading.Timer(1.0, old.stop)  # still running when the new one first opens the store
    stopping.start()
    try:
        new = embedded.start_s3(folder)
    finally:
        stopping.join()
    try:
        assert stored(new).get_object(BUCKET, KEY).read() == CONTENT
    finally:
        new.stop()
    assert weed.FOLDER_LOCKED in (folder / "weed.log").read_text(), "the new weed met the lock (else no test)"


def test_a_port_another_program_holds_fails_the_start_with_weeds_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedded.credentials(tmp_path / "s3")  # the S3 port, kept: chosen before
    free_ports = weed.free_ports
    with socket.socket() as other_program:
        other_program.bind(("127.0.0.1", 0))
        other_program.listen()
        taken = other_program.getsockname()[1]
        monkeypatch.setattr(weed, "free_ports", lambda count: [taken, *free_ports(count - 1)])
        with pytest.raises(weed.WeedStartFailed, match=f"port {taken} for Master .* is not available") as failed:
            embedded.start_s3(tmp_path / "s3")
    assert failed.value.port_taken
    assert (tmp_path / "s3" / "weed.log").read_text().count("Port allocation failed") == weed.START_ATTEMPTS


def test_ports_chosen_together_never_repeat() -> None:
    """Chosen one at a time, 300 ports repeat one in nearly every draw (the kernel may hand a released port again)."""
    ports = weed.free_ports(300)
    assert len(set(ports)) == len(ports)
