"""A vision node's alert outbox against the real API and S3: first the API away, then the store.

Alerts (with a snapshot each) keep coming while the API process is stopped for ``api_down_s`` (a
minute at full size), then while the embedded S3 is stopped for ``store_down_s``; the node keeps
them on disk and delivers each revision once, in order, when the far side is back. (This folds in
tests/vision/events/test_delivery.py's minute-long outage, which ran against a stand-in server.)
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
import uuid_utils

from mobile_contract.alerts import AlertKind, AlertMedia, AlertUpsert, Severity
from storage import embedded, objects
from tests.api.sites.factories import site_config
from tests.faults import outages
from tests.faults.examine import Tally
from tests.faults.installation import Installation
from vision.config import ApiConfig, OutboxConfig
from vision.events.delivery import Delivery
from vision.events.evidence import object_key
from vision.events.outbox import Outbox

pytestmark = [pytest.mark.integration, pytest.mark.faults]
FAST_RETRY = OutboxConfig(retry_initial_s=0.1, retry_max_s=1.0)
ALERTS, REVISIONS = 6, 3


class Node:
    """A vision node's delivery loop on its own event loop, in a thread (the test blocks freely)."""

    def __init__(self, outbox: Outbox, delivery: Delivery) -> None:
        self.outbox, self.delivery = outbox, delivery
        self.loop = asyncio.new_event_loop()
        self.stop = asyncio.Event()
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self._run(),), daemon=True)

    async def _run(self) -> None:
        await self.delivery.run(self.stop)
        await self.delivery.aclose()

    def __enter__(self) -> Node:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(30)
        self.loop.close()

    def drained_within(self, timeout_s: float) -> float:
        started = time.monotonic()
        while self.outbox.pending():
            assert time.monotonic() - started < timeout_s, "the outbox did not drain"
            time.sleep(0.05)
        return time.monotonic() - started


def camera(installation: Installation) -> tuple[str, str]:
    """A site with one camera, registered by a monitoring operator."""
    operator = installation.enrol("monitoring_operator")
    login = httpx.post(
        f"{installation.url}/auth/login", json={"username": operator.username, "password": operator.password}
    )
    site = httpx.post(
        f"{installation.url}/sites",
        json=site_config(),
        timeout=30,
        headers={"Authorization": f"Bearer {login.json()['access_token']}"},
    )
    assert site.status_code == 201, site.text
    return site.json()["id"], site.json()["config"]["cameras"][0]["id"]


def queue_alerts(outbox: Outbox, site_id: str, camera_id: str) -> list[tuple[uuid.UUID, int]]:
    queued = []
    for _ in range(ALERTS):
        alert_id = uuid.UUID(str(uuid_utils.uuid7()))
        now = dt.datetime.now(dt.UTC)
        for revision in range(1, REVISIONS + 1):
            data = os.urandom(4096)
            key = object_key(site_id, camera_id, alert_id, f"snapshot-{revision}.jpg")
            media = AlertMedia(
                kind="snapshot",
                object_key=key,
                sha256=outbox.put_media(alert_id, data),
                size=len(data),
                media_type="image/jpeg",
            )
            outbox.put(
                AlertUpsert(
                    id=alert_id,
                    revision=revision,
                    site_id=site_id,
                    camera_id=camera_id,
                    kind=AlertKind.FORBIDDEN_ZONE,
                    severity=Severity.CRITICAL,
                    started_at=now,
                    last_seen_at=now,
                    summary="禁采区内作业",
                    media=[media],
                )
            )
            queued.append((alert_id, revision))
    return queued


def node_store(installation: Installation) -> objects.ObjectStore:
    """The vision node's own client of the installation's S3 (the embedded keys)."""
    keys = embedded.credentials(installation.data_dir / "s3")
    client = objects.connect(
        endpoint=f"127.0.0.1:{keys.port}",
        access_key=keys.access_key,
        secret_key=keys.secret_key,
        secure=False,
        region="us-east-1",
    )
    return objects.ObjectStore(client, "enforcement-evidence", retention_days=1, presign_ttl_s=600)


def tally_of(
    installation: Installation,
    scenario: str,
    size: str,
    queued: list[tuple[uuid.UUID, int]],
    held: int,
    recovered: float | None,
) -> Tally:
    stored, verified, entries = installation.query(lambda conn: _delivered(conn, queued))
    return Tally(
        scenario,
        size,
        sent=len(queued),
        stored=stored,
        duplicated=entries - len(queued),
        lost=len(queued) - stored,
        recover_s=recovered,
        note=f"{held} revisions held on disk while down; {verified} snapshots verified",
    )


def test_the_outbox_waits_out_the_api_and_the_store(installation: Installation, size, report, tmp_path: Path) -> None:
    if installation.s3 is None:  # S3 of its own, so that stopping the API leaves the store up
        outages.stop_s3(installation.served, None)
        installation.s3 = outages.start_s3(installation.served)
    site_id, camera_id = camera(installation)
    node_user = installation.enrol("vision_node")
    store = node_store(installation)
    api = ApiConfig(url=installation.url, username=node_user.username, password=node_user.password, timeout_s=5)
    outbox = Outbox(tmp_path / "outbox")
    with Node(outbox, Delivery(outbox, api=api, retry=FAST_RETRY, store=store)) as node:
        installation.served.stop()
        api_queued = queue_alerts(outbox, site_id, camera_id)
        time.sleep(size.api_down_s)
        waiting = len(outbox.pending())
        installation.served.restart()
        api_recovered = node.drained_within(300)

        outages.stop_s3(installation.served, installation.s3)
        store_queued = queue_alerts(outbox, site_id, camera_id)
        time.sleep(size.store_down_s)
        store_waiting = len(outbox.pending())
        installation.s3 = outages.start_s3(installation.served)
        store_recovered = node.drained_within(300)
    for scenario, queued, held, recovered in (
        ("vision outbox, API down", api_queued, waiting, api_recovered),
        ("vision outbox, S3 down", store_queued, store_waiting, store_recovered),
    ):
        tally = tally_of(installation, scenario, size.name, queued, held, recovered)
        report.append(tally)
        assert (tally.stored, tally.duplicated, tally.lost) == (len(queued), 0, 0), tally
        assert f"{len(queued)} snapshots verified" in tally.note, tally
        assert held == len(queued), "revisions were delivered while the far side was down"
    assert outbox.rejected_revisions() == []
    lag = httpx.get(f"{installation.url}/metrics", timeout=10).text
    assert f'enforce_alert_delivery_lag_seconds_count{{camera="{camera_id}"}}' in lag


async def _delivered(conn, queued: list[tuple[uuid.UUID, int]]) -> tuple[int, int, int]:
    """Revisions stored, snapshots verified, and audit entries of deliveries (one per revision if none doubled)."""
    ids = list({alert_id for alert_id, _ in queued})
    stored = await conn.fetchval("SELECT count(*) FROM alert_revisions WHERE alert_id = ANY($1)", ids)
    verified = await conn.fetchval(
        "SELECT count(*) FROM alert_media WHERE alert_id = ANY($1) AND verification = 'verified'", ids
    )
    entries = await conn.fetchval(
        "SELECT count(*) FROM audit_log WHERE entity_type = 'alert' AND entity_id = ANY($1)"
        " AND action IN ('alert.created', 'alert.updated', 'alert.revision_stored')",
        [str(i) for i in ids],
    )
    return stored, verified, entries
