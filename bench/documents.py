"""Decision PDFs per second (issue 17, acceptance 5; goal ≥ 20/s on 2 cores).

Run: ``uv run python -m bench.documents`` (or ``bash bench/run documents``). No database: a penalty
decision is built in memory by the same code the issuing step runs (``api.documents.content``),
with a two-page text, a five-item evidence list and the payment and remedy paragraphs, then issued
as the press issues it: typeset by Typst to PDF/A-2b with the QR code, then sealed (PAdES, ECDSA
P-256) with a department key generated in a temporary folder. Every document gets its own number
and verification code, so Typst cannot reuse a previous layout whole.

One worker process per core (``BENCH_WORKERS``, default 2), each issuing for ``BENCH_SECONDS``
(default 10 s). The limit, measured the same way in the same run: Typst typesetting a blank A4
page with the same fonts loaded, which no document can beat. Printed: documents per second for
the limit, for typesetting alone, for sealing alone and for issuing (both), and the ratios.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import msgspec
import typst

from api.documents import content
from api.documents.content import CaseFile, Context, EvidenceLine
from api.documents.pdf.press import Press, new_verification_code, template_data
from api.documents.pdf.signing import IdentityStore
from api.documents.pdf.typesetting import FONT_DIR, Typesetter
from api.documents.render import Rendered
from mobile_contract.case_state import Decision, Notice, WorkflowState
from mobile_contract.documents import DocumentSettings
from mobile_contract.parties import Officer, Party, Place
from mobile_contract.records import CaseContent
from mobile_contract.workflow import PenaltyProposal

WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
BLANK = '#set page(paper: "a4")\n#set text(font: "Noto Serif SC")\n#sys.inputs.at("n")\n'
DAY = dt.date(2026, 11, 20)
FACTS = (
    "未取得采矿许可证，擅自在某县某镇某村东侧山体开采建筑用石料，经测量开采面积约 3200 平方米，开采量约 2000 立方米，"
)


def decision() -> Rendered:
    """A fined penalty decision with the content a real one has (about two pages)."""
    penalty = PenaltyProposal(
        violation_code="KC-001", circumstance="ordinary", facts=FACTS * 3, kinds=["fine"], fine_fen=5_000_000,
        legal_basis="《中华人民共和国矿产资源法》第四十条",
    )  # fmt: skip
    state = WorkflowState(
        filed_on=DAY, statement_waived_on=DAY, decision=Decision(decided_on=DAY, penalty=penalty),
        notice=Notice(round=1, notified_on=DAY, penalty=penalty, hearing_rights=True, statement_days=3,
                      statement_due=DAY, hearing_due=DAY, document_no="ZRZY-360102告〔2026〕7号"),
    )  # fmt: skip
    return content.decision(_case(), state, _context())


def _case() -> CaseFile:
    party = {
        "kind": "legal_person",
        "name": "某某石料有限公司",
        "uscc": "91350100M000100Y43",
        "address": "某县某镇某村",
    }
    case = CaseContent(
        title="某某石料有限公司无证开采案", item_code="36010100100001", party=msgspec.convert(party, Party),
        region_code="360102", found_at=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC),
        place=Place(address="某县某镇某村东侧山体"),
    )  # fmt: skip
    officers = [
        Officer(user_id=uuid.uuid4(), name=n, certificate_no=c) for n, c in (("王一", "36010001"), ("李二", "36010002"))
    ]
    return CaseFile(
        id=uuid.uuid4(), department_id=uuid.uuid4(), created_by=uuid.uuid4(), content=case, officers=officers
    )


def _context() -> Context:
    settings = DocumentSettings(
        review_body="某区人民政府", court="某区人民法院", payment_bank="中国工商银行某区支行",
        payment_account_name="某区财政局非税收入汇缴专户", payment_account_no="1502001234567890123",
    )  # fmt: skip
    at = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
    lines = [EvidenceLine(record_kind="inspection", record_on=at, kind=None, description="", captured_at=None)]
    kinds = ["photo", "photo", "video", "document"]
    lines += [
        EvidenceLine(record_kind="inspection", record_on=at, kind=k, description=f"作业面第{n}处", captured_at=at)
        for n, k in enumerate(kinds, start=1)
    ]
    return Context(settings=settings, evidence=lines)


def _numbered(body: Rendered, n: int) -> Rendered:
    return msgspec.structs.replace(
        body, title="行政处罚决定书", organ="某区自然资源局", number=f"ZRZY-360102罚〔2026〕{n}号", issued_on=DAY,
        verification_code=new_verification_code(),
    )  # fmt: skip


def _for(seconds: float, work: Callable[[int], object]) -> tuple[int, float, float]:
    """Run ``work(n)`` until ``seconds`` pass; returns (count, elapsed, CPU seconds of this process)."""
    start, cpu, n = time.perf_counter(), time.process_time(), 0
    while (elapsed := time.perf_counter() - start) < seconds:
        work(n)
        n += 1
    return n, elapsed, time.process_time() - cpu


def worker(task: str, seconds: float, seed: int) -> tuple[int, float, float]:
    """One process's run of ``task``: ``blank``, ``typeset``, ``seal`` or ``issue``."""
    folder = Path(tempfile.mkdtemp(prefix="bench-documents-"))
    press = Press(Typesetter(), IdentityStore(folder, generate=True), "http://127.0.0.1:8000")
    body = decision()
    if task == "blank":
        blank_file = folder / "blank.typ"
        blank_file.write_text(BLANK)
        compiler = typst.Compiler(str(blank_file), font_paths=[str(FONT_DIR)], ignore_system_fonts=True)
        compiler.compile(sys_inputs={"n": "0"})
        return _for(seconds, lambda n: compiler.compile(sys_inputs={"n": str(seed * 10**7 + n)}, pdf_standards="a-2b"))
    if task == "typeset":
        return _for(seconds, lambda n: press.unsealed(_numbered(body, seed * 10**7 + n)))
    identity = press.identity("ZRZY-360102", "某区自然资源局")
    unsealed = press.unsealed(_numbered(body, seed))
    if task == "seal":
        return _for(seconds, lambda n: press.sealer.seal(unsealed, identity, reason="bench", location="某区"))
    return _for(seconds, lambda n: press.issue(_numbered(body, seed * 10**7 + n), department_code="ZRZY-360102",
                                               location="某区"))  # fmt: skip


class Rate(msgspec.Struct, frozen=True):
    per_s: float  # documents per second of wall time, all workers together
    cpu_ms: float  # CPU milliseconds per document (all threads of the worker)


def rate(task: str) -> Rate:
    # spawn, not fork: a forked child inherits the parent's Typst threads in an unusable state
    with ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("spawn")) as pool:
        runs = list(pool.map(worker, [task] * WORKERS, [SECONDS] * WORKERS, range(1, WORKERS + 1)))
    done = sum(n for n, _, _ in runs)
    return Rate(per_s=sum(n / elapsed for n, elapsed, _ in runs), cpu_ms=1000 * sum(cpu for _, _, cpu in runs) / done)


def main() -> None:
    qr = "<svg xmlns='http://www.w3.org/2000/svg'/>"
    pages = len(Typesetter().png_pages(template_data(_numbered(decision(), 1)), qr))
    load = os.getloadavg()[0]
    print(f"decision PDFs, {WORKERS} worker processes, {SECONDS:.0f} s each; {pages} pages; load average {load:.1f}")
    rates = {task: rate(task) for task in ("blank", "typeset", "seal", "issue")}
    limit = rates["blank"]
    print("                                     wall /s   of limit   CPU ms/doc   → /s on 2 idle cores")
    for task, label in LABELS.items():
        r = rates[task]
        print(f"  {label:34s} {r.per_s:8.1f}   {r.per_s / limit.per_s:7.1%}   {r.cpu_ms:9.1f}   {2000 / r.cpu_ms:8.1f}")
    issue = rates["issue"]
    verdict = (
        "met" if issue.per_s >= GOAL else f"not met at this load (CPU says {2000 / issue.cpu_ms:.0f}/s on 2 idle cores)"
    )
    print(
        f"  goal ≥ {GOAL} /s on 2 cores: {verdict}; issue ÷ limit {issue.per_s / limit.per_s:.1%} (wall), "
        f"{limit.cpu_ms / issue.cpu_ms:.1%} (CPU)"
    )


LABELS = {
    "blank": "limit: Typst, blank A4 page",
    "typeset": "typeset decision (PDF/A-2b + QR)",
    "seal": "seal only (PAdES, ECDSA P-256)",
    "issue": "issue = typeset + seal",
}
GOAL = 20


if __name__ == "__main__":
    main()
