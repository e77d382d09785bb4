"""The public verification page (文书核验): anyone holding a document checks it by its code.

It shows the document number, its kind, the issuing organ, the date and the SHA-256 of the sealed
PDF as issued, and nothing about the party. A PDF file (or its SHA-256) sent to the page is
compared with the issued one: the same bytes are confirmed, anything else is refused.
"""

from __future__ import annotations

import functools
import hashlib
import html
from pathlib import Path
from string import Template

import asyncpg
import msgspec

from api.documents.render import TITLES, zh_date
from mobile_contract.documents import DocumentKind
from storage import numbered_documents
from storage.db import Connection

TEMPLATE = Path(__file__).parent / "templates" / "verify.html"
HEX = frozenset("0123456789abcdef")


class Page(msgspec.Struct, frozen=True):
    status: int
    html: str


@functools.cache
def _template() -> Template:
    return Template(TEMPLATE.read_text(encoding="utf-8"))


def normalise_code(code: str) -> str:
    return code.strip().upper().replace(" ", "")


NOT_FOUND = "未找到该核验码对应的文书：请核对核验码，或向签发机关核实。"


async def show(conn: Connection, code: str) -> Page:
    code = normalise_code(code)
    row = await numbered_documents.by_verification_code(conn, code=code)
    return _page(code, row, 200, "", "") if row else _page(code, None, 404, "bad", NOT_FOUND)


async def check(conn: Connection, code: str, *, pdf: bytes | None, sha256: str) -> Page:
    """Compare a file (or a hash) with the issued PDF: 200 when identical, 409 when not."""
    code = normalise_code(code)
    row = await numbered_documents.by_verification_code(conn, code=code)
    if row is None:
        return _page(code, None, 404, "bad", NOT_FOUND)
    given = hashlib.sha256(pdf).hexdigest() if pdf else sha256.strip().lower()
    if not (len(given) == 64 and set(given) <= HEX):
        return _page(code, row, 422, "bad", "请选择 PDF 文件，或输入 64 位十六进制的 SHA-256 值。")
    if given != row["pdf_sha256"]:
        message = f"不一致：所核验文件的 SHA-256 为 {given}，与签发的原件不同，该文件可能被修改或并非本文书。"
        return _page(code, row, 409, "bad", message)
    return _page(code, row, 200, "ok", "一致：所核验的文件即签发机关签发的原件，未被修改。")


def _page(code: str, row: asyncpg.Record | None, status: int, tone: str, message: str) -> Page:
    verdict = f'<p class="verdict {tone}" role="status">{html.escape(message)}</p>' if message else ""
    return Page(status, _template().substitute(code=html.escape(code), verdict=verdict, details=_details(row)))


def _details(row: asyncpg.Record | None) -> str:
    if row is None:
        return ""
    items = [
        ("文书编号", row["number"]),
        ("文书种类", TITLES[DocumentKind(row["kind"])]),
        ("签发机关", row["organ"]),
        ("签发日期", zh_date(row["issued_on"])),
        ("文件 SHA-256", row["pdf_sha256"]),
        ("签章证书指纹", row["signer_certificate_sha256"]),
    ]
    return "<dl>" + "".join(f"<dt>{k}</dt><dd>{html.escape(v)}</dd>" for k, v in items) + "</dl>"
