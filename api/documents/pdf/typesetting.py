"""Typesetting a document with Typst (the ``typst`` wheel) and Noto Serif/Sans SC from PyPI.

One compiler is kept per process: it loads the two fonts once and Typst memoises layout between
documents, so a decision typesets in a few milliseconds. The compiler is not re-entrant, hence
the lock; signing, the slower half of issuing, runs outside it.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, Final

import pylopdf_fonts_zh_cn
import typst

TEMPLATE = Path(__file__).parent / "templates" / "document.typ"
CUSTODY_TEMPLATE = Path(__file__).parent / "templates" / "custody.typ"
FONT_DIR = pylopdf_fonts_zh_cn.serif_path().parent  # NotoSerifSC-Regular.otf, NotoSansSC-Regular.otf
PDF_STANDARD: Final = "a-2b"  # PDF/A-2b: every font embedded, no external resources


class Typesetter:
    def __init__(self, template: Path = TEMPLATE) -> None:
        self._compiler = typst.Compiler(str(template), font_paths=[str(FONT_DIR)], ignore_system_fonts=True)
        self._lock = threading.Lock()

    def pdf(self, content: dict[str, Any], qr_svg: str) -> bytes:
        """An archival PDF of ``content`` (the template's ``doc`` JSON)."""
        with self._lock:
            pdf = self._compiler.compile(sys_inputs=_inputs(content, qr_svg), pdf_standards=PDF_STANDARD)
        assert isinstance(pdf, bytes)  # a PDF is one document; only image formats give a list of pages
        return pdf

    def png_pages(self, content: dict[str, Any], qr_svg: str, *, ppi: int = 72) -> list[bytes]:
        """Each page as PNG, rasterised by Typst itself (previews for the documentation)."""
        with self._lock:
            pages = self._compiler.compile(sys_inputs=_inputs(content, qr_svg), format="png", ppi=ppi)
        assert pages is not None  # None only when Typst writes to a file
        return pages if isinstance(pages, list) else [pages]


def _inputs(content: dict[str, Any], qr_svg: str) -> dict[str, str]:
    return {"doc": json.dumps(content, ensure_ascii=False), "qr": qr_svg}
