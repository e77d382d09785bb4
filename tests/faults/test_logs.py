"""The served installation's log (结构化日志): JSON lines with request ids, and no secrets or personal data.

The suite's ``enforce serve`` writes its standard output and error to one file. Over a run of
sign-ins (one with a wrong password), a named complaint submitted and a piece of evidence uploaded
through a presigned URL, every new line must be a JSON object, the access line of each answer must
carry the request id the answer was sent with, and none of the secrets or personal data of that run
may appear: passwords, tokens, the complaint's receipt token, the data folder's keys, presigned
signatures, the whistleblower's name, phone and ID number.
"""

from __future__ import annotations

import os

import httpx
import msgspec
import pytest

from storage.embedded.s3 import credentials
from tests.faults.field import a_device
from tests.faults.handheld import Handheld, evidence_item
from tests.faults.installation import Installation

pytestmark = [pytest.mark.integration, pytest.mark.faults]
WHISTLEBLOWER = {"name": "李四海", "phone": "13912345678", "id_number": "11010519491231002X"}


COMPLAINT = {
    "kind": "report",
    "region_code": "360102",
    "subject_name": "某某石料有限公司",
    "content": "夜间有挖掘机在后山越界开采，车辆往来频繁。",
    "whistleblower": WHISTLEBLOWER,
}


def a_logged_run(installation: Installation) -> tuple[Handheld, list[httpx.Response]]:
    """Sign-ins (one refused), a record with a photo uploaded, a named complaint; the answers sent directly."""
    device = a_device(installation)
    wrong = httpx.post(
        f"{installation.url}/auth/login",
        json={"username": device.person.username, "password": "wrong passphrase 9"},
        timeout=30,
    )
    photo = os.urandom(50_000)
    item = evidence_item(photo, device.person.device_id)
    device.make_record(evidence=[item])
    device.push()
    device.upload(item["id"], photo)
    receipt = httpx.post(f"{installation.url}/complaints/submit", json=COMPLAINT, timeout=30)
    assert receipt.status_code == 201, receipt.text
    device.close()
    return device, [wrong, receipt]


def test_the_log_is_json_with_request_ids_and_no_secrets(installation: Installation) -> None:
    start = installation.served.log_path.stat().st_size
    device, (wrong, receipt) = a_logged_run(installation)
    with installation.served.log_path.open("rb") as log:
        log.seek(start)
        lines = log.read().splitlines()
    entries = [msgspec.json.decode(line) for line in lines]  # every line is one JSON object
    access = {e.get("request_id") for e in entries if e["logger"] == "api.access"}
    assert {wrong.headers["x-request-id"], receipt.headers["x-request-id"]} <= access
    assert all("request_id" in e for e in entries if e["logger"] == "api.access")
    text = b"\n".join(lines).decode()
    secrets = {
        "password": device.person.password,
        "access token": device.token,
        "receipt token": receipt.json()["token"],
        "S3 secret key": credentials(installation.data_dir / "s3").secret_key,
        "JWT secret": (installation.data_dir / "jwt_secret").read_text().strip(),
        "presigned signature": "X-Amz-Signature",
        **WHISTLEBLOWER,
    }
    found = {what: value for what, value in secrets.items() if value and value in text}
    assert found == {}, f"in the log: {sorted(found)}"
