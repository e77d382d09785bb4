"""The data folder is made owner-only at start, and secrets are created owner-only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from api.settings import Settings
from storage.embedded import make_owner_only, secret


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_open_folder_is_tightened_and_what_changed_is_said(tmp_path: Path, caplog) -> None:
    data = tmp_path / "var"
    (data / "s3" / "volumes").mkdir(parents=True)
    (data / "s3" / "volumes" / "1.dat").write_bytes(b"evidence")
    (data / "s3" / "volumes" / "1.dat").chmod(0o644)
    for folder in (data, data / "s3", data / "s3" / "volumes"):
        folder.chmod(0o755)
    previous = os.umask(0o022)
    try:
        changed = make_owner_only(data)
        assert os.umask(0o022) == 0o077
    finally:
        os.umask(previous)
    assert mode(data) == 0o700 and mode(data / "s3") == 0o700 and mode(data / "s3" / "volumes") == 0o700
    assert mode(data / "s3" / "volumes" / "1.dat") == 0o600
    assert "var/s3/volumes/1.dat 644→600" in changed
    assert "made owner-only" in caplog.text and "1.dat 644→600" in caplog.text
    assert make_owner_only(data) == []  # nothing more to do the second time


def test_a_folder_another_account_must_pass_is_0711_and_its_contents_stay_owner_only(tmp_path: Path) -> None:
    (tmp_path / "var" / "postgres").mkdir(parents=True, mode=0o755)
    make_owner_only(tmp_path / "var", passable=True)
    assert mode(tmp_path / "var") == 0o711
    assert mode(tmp_path / "var" / "postgres") == 0o700


def test_a_secret_is_made_once_owner_only(tmp_path: Path) -> None:
    made = secret(tmp_path / "key", lambda: "first")
    assert secret(tmp_path / "key", lambda: "second") == made == "first"
    assert mode(tmp_path / "key") == 0o600


def test_the_session_data_folder_has_nothing_others_can_read(settings: Settings) -> None:
    """What the running embedded servers wrote is owner-only too (the umask they inherited)."""
    data = settings.data_dir.resolve()
    readable = [
        f"{path} {mode(path):o}"
        for path in data.rglob("*")
        if not path.is_symlink() and not path.is_socket() and mode(path) & 0o077 and path.suffix != ".vif"
    ]
    assert readable == []
    assert mode(data) in (0o700, 0o711)
