"""docs/img pictures: a rerun that changes a name keeps the file; a page that looks different rewrites it."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw

from tests.pictures import write_picture


def page(name: str, *, size: tuple[int, int] = (390, 300), banner: str = "white") -> bytes:
    picture = Image.new("RGB", size, banner)
    ImageDraw.Draw(picture).text((10, 10), name, fill="black")
    ImageDraw.Draw(picture).rectangle((10, 40, 380, 120), outline="navy", width=3)
    kept = io.BytesIO()
    picture.save(kept, "PNG")
    return kept.getvalue()


def test_a_changed_name_keeps_the_picture_on_file(tmp_path: Path) -> None:
    path = tmp_path / "sign-in-phone.png"
    write_picture(path, page("supervisor-4ded2495"))
    write_picture(path, page("supervisor-91c0aa3e"))
    assert path.read_bytes() == page("supervisor-4ded2495")


def test_a_page_that_looks_different_or_grew_is_written_again(tmp_path: Path) -> None:
    path = tmp_path / "cases-phone.png"
    write_picture(path, page("case"))
    write_picture(path, page("case", banner="lightyellow"))
    assert path.read_bytes() == page("case", banner="lightyellow")
    write_picture(path, page("case", size=(390, 900), banner="lightyellow"))
    assert path.read_bytes() == page("case", size=(390, 900), banner="lightyellow")
