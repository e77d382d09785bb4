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
from tests.faults.handheld import evidence_item
from tests.faults.installation import Installation

pytestmark = [pytest.mark.integration, pytest.mark.faults]
WHISTLEBLOWER = {"name": "李四海", "phone": "13912345678", "id_number": "11010519491231002X"}


def test_the_log_is_json_with_request_ids_and_no_secrets(installation: Installation) -> None:
    start = installation.served.log_path.stat().st_size
    device = a_device(installation)
    wrong = httpx.post(f"{installation.url}/auth/login", json={"username": device.person.username,
                       "password": "wrong passphrase 9"}, timeout=30)  # fmt: skip
    photo = os.urandom(50_000)
    item = evidence_item(photo, device.person.device_id)
    device.make_record(evidence=[item])
    device.push()
    device.upload(item["id"], photo)
    complaint = {"kind": "report", "region_code": "360102", "subject_name": "某某石料有限公司",
                 "content": "夜间有挖掘机在后山越界开采，车辆往来频繁。", "whistleblower": WHISTLEBLOWER}  # fmt: skip
    receipt = httpx.post(f"{installation.url}/complaints/submit", json=complaint, timeout=30)
    assert receipt.status_code == 201, receipt.text
    device.close()

    with installation.served.log_path.open("rb") as log:
        log.seek(start)
        lines = log.read().splitlines()
    entries = [msgspec.json.decode(line) for line in lines]  # every line is one JSON object
    access = {e.get("request_id") for e in entries if e["logger"] == "api.access"}
    answered = [wrong, receipt]
    assert {a.headers["x-request-id"] for a in answered} <= access
    assert all("request_id" in e for e in entries if e["logger"] == "api.access")
    text = b"\n".join(lines).decode()
    s3 = credentials(installation.data_dir / "s3")
    secrets = {"password": device.person.password, "access token": device.token,
               "receipt token": receipt.json()["token"], "S3 secret key": s3.secret_key,
               "JWT secret": (installation.data_dir / "jwt_secret").read_text().strip(),
               "presigned signature": "X-Amz-Signature", **WHISTLEBLOWER}  # fmt: skip
    found = {what: value for what, value in secrets.items() if value and value in text}
    assert found == {}, f"in the log: {sorted(found)}"
