"""A scripted handheld (执法终端) that behaves exactly as docs/sync.md and docs/evidence.md tell a device to.

It keeps its own copy of everything it made (the device's local database) and a queue of
operations with ids. It sends until it gets an answer: no answer (connection refused or reset, a
time-out) or a 5xx means "keep the queue and send again later"; an item leaves the queue only on a
definitive answer (created, replayed, updated, or a rejection that is not "retry unchanged").
Every request it makes is kept (``Exchange``), so a scenario can check how refusals looked and
how long they took, and when the first answer after a fault came.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid
from typing import Any

import httpx
import msgspec

from tests.factories import VALID_USCC, uuid7
from tests.faults.installation import Person

RETRY_UNCHANGED = frozenset({"case-not-yet-synced", "version-not-yet-synced"})
DONE = frozenset({"created", "replayed", "updated"})
REQUEST_TIMEOUT_S = 60  # a device gives up waiting for an answer after this, and sends again


class Exchange(msgspec.Struct):
    """One request and what came of it: a status, or no answer (``error`` names why)."""

    method: str
    path: str
    started: float  # time.monotonic()
    seconds: float
    status: int | None = None
    code: str | None = None
    error: str | None = None

    @property
    def answered(self) -> bool:
        """A definitive answer: not a 5xx, not silence."""
        return self.status is not None and self.status < 500


class Made(msgspec.Struct):
    """An operation in the device's own copy: what it sent, and what the server finally said."""

    op: dict[str, Any]
    kind: str  # case / record
    expect_stored: bool = True  # False: made to be refused (the second content under one id)
    answer: str | None = None  # created / replayed / updated / a problem code
    version: int | None = None


class Handheld:
    """One inspector's device against one server address."""

    def __init__(self, url: str, person: Person, partner: Person, *, pause_s: float = 0.3) -> None:
        self.url, self.person, self.partner, self.pause_s = url, person, partner, pause_s
        self.http = httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT_S)
        self.copy: dict[uuid.UUID, Made] = {}  # the device's database: everything it made, by id
        self.queue: list[uuid.UUID] = []  # ids still to send, in the order the inspector made them
        self.exchanges: list[Exchange] = []
        self.token = ""

    def close(self) -> None:
        self.http.close()

    # --- making things, as the inspector works offline ---

    def make_case(self) -> uuid.UUID:
        case_id = uuid7()
        content = {
            "title": "疑似越界开采",
            "item_code": "36010100100001",
            "region_code": "360102",
            "party": {"kind": "legal_person", "name": "某某石料有限公司", "uscc": VALID_USCC},
            "found_at": "2026-11-20T08:00:00+00:00",
            "place": {"address": "某县某镇塘口"},
        }
        return self._queue(case_id, "case", {"op": "create_case", "case": {"id": str(case_id), "content": content}})

    def make_record(self, *, case_id: uuid.UUID | None = None, evidence: list[dict] | None = None) -> uuid.UUID:
        id = uuid7()
        content = inspection(self.person, self.partner, result=f"现场检查 {id.hex[-6:]}", evidence=evidence or [])
        if case_id is not None:
            content["case_id"] = str(case_id)
        return self._queue(id, "record", {"op": "create_record", "record": {"id": str(id), "content": content}})

    def make_conflicting_twin(self, record_id: uuid.UUID) -> dict[str, Any]:
        """The same id with other content (a device bug): the server keeps the first, refuses this one."""
        twin = msgspec.json.decode(msgspec.json.encode(self.copy[record_id].op))
        twin["record"]["content"]["result"] = "另一内容"
        return twin

    def _queue(self, id: uuid.UUID, kind: str, op: dict[str, Any]) -> uuid.UUID:
        self.copy[id] = Made(op, kind)
        self.queue.append(id)
        return id

    # --- talking to the server ---

    def sign_in(self) -> None:
        body = {"username": self.person.username, "password": self.person.password, "device_id": self.person.device_id}
        answer = self.until_answered("POST", "/auth/login", json=body, signed=False)
        assert answer.status_code == 200, answer.text
        self.token = answer.json()["access_token"]

    def until_answered(self, method: str, path: str, *, signed: bool = True, **kwargs: Any) -> httpx.Response:
        """Send until a definitive answer; silence and 5xx are waited out (Retry-After honoured, capped)."""
        while True:
            answer = self.send(method, path, signed=signed, **kwargs)
            if answer is not None and answer.status_code == 401 and signed:
                self.sign_in()  # the access token expired meanwhile
                continue
            if answer is not None and answer.status_code < 500:
                return answer
            time.sleep(self._pause(answer))

    def send(self, method: str, path: str, *, signed: bool = True, **kwargs: Any) -> httpx.Response | None:
        """One request, kept in ``exchanges``; None when no answer came."""
        headers = {"Authorization": f"Bearer {self.token}"} if signed else {}
        started = time.monotonic()
        try:
            answer = self.http.request(method, path, headers=headers, **kwargs)
        except httpx.TransportError as exc:
            self.exchanges.append(Exchange(method, path, started, time.monotonic() - started, error=type(exc).__name__))
            return None
        code = answer.json().get("code") if is_problem(answer) else None
        self.exchanges.append(Exchange(method, path, started, time.monotonic() - started, answer.status_code, code))
        return answer

    def _pause(self, answer: httpx.Response | None) -> float:
        retry_after = float(answer.headers.get("retry-after", 0)) if answer is not None else 0.0
        return min(max(self.pause_s, retry_after), 2.0)  # a test need not wait the full advice

    # --- the sync queue ---

    def push(self, batch: int = 1000, *, pace_s: float = 0.0) -> None:
        """Push the queue in batches until it is empty (items waiting on another go round again);
        ``pace_s`` between pushes, as a device that syncs while the inspector keeps working."""
        while self.queue:
            ids = self.queue[:batch]
            answer = self.until_answered("POST", "/sync/push", json={"operations": [self.copy[i].op for i in ids]})
            assert answer.status_code == 200, answer.text
            self._settle(ids, answer.json()["results"])
            time.sleep(pace_s)

    def push_ids(self, ids: list[uuid.UUID], *, twins: list[dict[str, Any]] = ()) -> list[dict[str, Any]]:
        """Push these queued items, then ``twins`` (the same ids with other content, a device bug) in the
        same push; the items are settled, the twins' answers returned."""
        ops = [self.copy[i].op for i in ids] + list(twins)
        answer = self.until_answered("POST", "/sync/push", json={"operations": ops})
        assert answer.status_code == 200, answer.text
        results = answer.json()["results"]
        self._settle(ids, results[: len(ids)])
        return results[len(ids) :]

    def _settle(self, ids: list[uuid.UUID], results: list[dict[str, Any]]) -> None:
        for id, result in zip(ids, results, strict=True):
            made = self.copy[id]
            code = (result.get("problem") or {}).get("code")
            if result["status"] in DONE:
                made.answer, made.version = made.answer or result["status"], result.get("version")
            elif code in RETRY_UNCHANGED:
                continue  # stays queued unchanged
            elif made.answer is None:
                made.answer = code
            if id in self.queue and (result["status"] in DONE or code not in RETRY_UNCHANGED):
                self.queue.remove(id)

    # --- evidence ---

    def upload(self, evidence_id: str, data: bytes, *, multipart: bool = False, before_finalise=None) -> dict[str, Any]:
        """Ticket, bytes to S3, finalise — again from the ticket until the server says verified.

        ``before_finalise`` is called once the bytes are in S3 (a scenario's hook to start an outage there).
        """
        path = f"/evidence/{evidence_id}"
        while True:
            ticket = self.until_answered("POST", f"{path}/upload", json={"multipart": multipart})
            if ticket.status_code == 409 and ticket.json()["code"] == "evidence-already-verified":
                return self.until_answered("GET", path).json()
            assert ticket.status_code == 200, ticket.text
            plan = ticket.json()
            sent = self._put(plan["put"], data) if plan["mode"] == "single" else self._put_parts(path, plan, data)
            if not sent:
                continue
            if before_finalise is not None:
                before_finalise()
            done = self.until_answered("POST", f"{path}/finalize")
            if done.status_code == 200:
                assert done.json()["status"] == "verified", done.text
                return done.json()
            assert done.json()["code"] in {"evidence-not-uploaded", "upload-incomplete", "no-open-upload"}, done.text

    def _put_parts(self, path: str, plan: dict[str, Any], data: bytes) -> bool:
        """Send the parts S3 lacks; False when the upload is gone (ask for a new ticket)."""
        progress = self.until_answered("GET", f"{path}/upload/parts")
        if progress.status_code == 409:
            return False
        size = plan["part_size"]
        for start in range(0, len(progress.json()["missing"]), 100):
            numbers = progress.json()["missing"][start : start + 100]
            chunks = {n: data[(n - 1) * size : n * size] for n in numbers}
            wanted = [{"part_number": n, "sha256": hashlib.sha256(chunks[n]).hexdigest()} for n in numbers]
            urls = self.until_answered("POST", f"{path}/upload/parts", json={"parts": wanted})
            if urls.status_code == 409:
                return False
            if not all(self._put(part["put"], chunks[part["part_number"]]) for part in urls.json()["parts"]):
                return False
        return True

    def _put(self, put: dict[str, Any], data: bytes, *, tries: int = 3) -> bool:
        """PUT to the store; False after ``tries`` without an answer (the device then asks for a new ticket)."""
        for _ in range(tries):
            started = time.monotonic()
            try:
                answer = self.http.put(put["url"], content=data, headers=put["headers"])
            except httpx.TransportError as exc:
                took = time.monotonic() - started
                self.exchanges.append(Exchange("PUT", "s3", started, took, error=type(exc).__name__))
                time.sleep(self.pause_s)
                continue
            self.exchanges.append(Exchange("PUT", "s3", started, time.monotonic() - started, answer.status_code))
            if answer.status_code == 200:
                return True
            assert answer.status_code >= 500, f"S3 refused the upload: {answer.status_code} {answer.text}"
            time.sleep(self.pause_s)
        return False

    # --- what the exchanges show ---

    def first_answer_after(self, moment: float) -> float | None:
        """Seconds from ``moment`` to the first definitive answer that came after it."""
        later = [e.started + e.seconds for e in self.exchanges if e.started + e.seconds >= moment and e.answered]
        return min(later) - moment if later else None

    def failures_between(self, start: float, end: float) -> list[Exchange]:
        return [e for e in self.exchanges if start <= e.started <= end and not e.answered]


def is_problem(answer: httpx.Response) -> bool:
    return answer.headers.get("content-type", "").startswith("application/problem+json")


def inspection(*officers: Person, result: str, evidence: list[dict]) -> dict[str, Any]:
    return {
        "kind": "inspection",
        "item_code": "36010100100001",
        "region_code": "360102",
        "party": {"kind": "legal_person", "name": "某某石料有限公司", "uscc": VALID_USCC},
        "occurred_at": dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC).isoformat(),
        "place": {"address": "某县某镇采石场", "gps": {"lat": 28.68, "lon": 115.86, "accuracy_m": 5.0}},
        "officers": [officer(o) for o in officers],
        "result": result,
        "inspection_type": "routine",
        "evidence": evidence,
    }


def officer(person: Person) -> dict[str, Any]:
    return {"user_id": str(person.user_id), "name": person.username, "certificate_no": person.certificate_no}


def evidence_item(data: bytes, device_id: str | None) -> dict[str, Any]:
    """A manifest entry for ``data`` as the handheld declares it."""
    return {
        "id": str(uuid7()),
        "kind": "video",
        "media_type": "video/mp4",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "captured_at": "2026-11-20T09:30:00+08:00",
        "gps": {"lat": 28.68, "lon": 115.86, "accuracy_m": 4.5},
        "device_id": device_id or "DEV-NONE",
    }
