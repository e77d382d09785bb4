"""The README's first run, line by line, against a fresh ``enforce serve`` (as ``bash scripts/serve`` starts it).

The ``uv run …`` lines of the README's first-run block are run as they are written (through this
environment's ``enforce`` and ``vision`` scripts, in a folder holding a copy of ``examples/``), with
no variable set but the data folder and port this test gives the server: a clip from ``vision
synth`` goes through ``vision analyze --deliver`` to an alert the API lists with verified media,
and a complaint is taken at the public entrance.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.api.serving import Served

pytestmark = [pytest.mark.integration, pytest.mark.slow]
ROOT = Path(__file__).parents[3]
ADMIN_PASSWORD = "first run admin passphrase"
COMPLAINT = {
    "kind": "report",
    "region_code": "360102",
    "subject_name": "某某石料有限公司",
    "content": "夜间有挖掘机在后山越界开采",
}


def readme_first_run() -> list[list[str]]:
    """The ``uv run`` lines of the README block after "First run, end to end", as argument lists."""
    text = (ROOT / "README.md").read_text()
    block = re.search(r"First run, end to end.*?```bash\n(.*?)```", text, re.S)
    assert block, "the README's first-run block is gone"
    return [shlex.split(line)[2:] for line in block[1].splitlines() if line.startswith("uv run ")]


def run(served: Served, folder: Path, argv: list[str]) -> str:
    """One README line, with this environment's script of the same name, in ``folder``."""
    script = Path(sys.executable).parent / argv[0]
    password = f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n" if "create-user" in argv else None
    done = subprocess.run(
        [str(script), *argv[1:]],
        cwd=folder,
        env=served.env,
        input=password,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"{shlex.join(argv)}\n{done.stdout}\n{done.stderr}"
    assert argv[0] != "enforce" or f"data folder {served.data_dir}" in done.stderr, "commands say where they act"
    return done.stdout


def test_the_readme_takes_a_clip_to_an_alert_in_the_api_and_a_complaint_is_taken(tmp_path: Path) -> None:
    folder = tmp_path / "checkout"
    shutil.copytree(ROOT / "examples", folder / "examples")
    served = Served(folder / "var")
    try:
        for argv in readme_first_run():
            run(served, folder, argv)
        login = httpx.post(f"{served.url}/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
        headers = {"authorization": f"Bearer {login.json()['access_token']}"}
        alerts = httpx.get(f"{served.url}/alerts", headers=headers).json()["items"]
        covered = [a for a in alerts if (a["site_id"], a["kind"]) == ("quarry-demo-01", "camera_covered")]
        assert covered, alerts  # beside it the watchdog may say the camera is unwatched: no node runs here
        detail = httpx.get(f"{served.url}/alerts/{covered[0]['id']}", headers=headers).json()
        assert {m["kind"] for m in detail["media"] if m["verified"]} >= {"snapshot"}, detail["media"]
        receipt = httpx.post(f"{served.url}/complaints/submit", json=COMPLAINT)
        assert receipt.status_code == 201, receipt.text
    finally:
        served.stop()
