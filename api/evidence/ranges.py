"""Byte ranges of an evidence download (分段读取, RFC 9110 §14): what a video or audio player asks for
when it seeks.

One range per request is served: ``bytes=first-last``, ``bytes=first-`` or ``bytes=-suffix``, clipped
to the item. RFC 9110 lets a server ignore a ``Range`` it does not serve, so a request for several
ranges, or a malformed one, gets the whole item (200), as does one whose ``If-Range`` names another
validator than the item's ``ETag`` (the verified SHA-256, which never changes). A range that starts
past the end is refused with 416 and the item's size.
"""

from __future__ import annotations

import re

import msgspec

from mobile_contract.problems import RangeNotSatisfiable

_SINGLE = re.compile(r"bytes=(\d*)-(\d*)", re.ASCII)


class ByteRange(msgspec.Struct, frozen=True):
    """Bytes ``first`` to ``last`` of the item, both included."""

    first: int
    last: int

    @property
    def length(self) -> int:
        return self.last - self.first + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.first}-{self.last}/{size}"


def entity_tag(sha256: str) -> str:
    """The strong validator of a verified item: its bytes never change, nor does their SHA-256."""
    return f'"{sha256}"'


def requested(range_header: str | None, if_range: str | None, *, size: int, etag: str) -> ByteRange | None:
    """The one range to serve, or None for the whole item; ``RangeNotSatisfiable`` if none of it exists."""
    if not range_header or (if_range is not None and if_range.strip() != etag):
        return None
    found = _SINGLE.fullmatch(range_header.strip())
    if found is None or found.groups() == ("", ""):
        return None
    first_text, last_text = found.groups()
    if not first_text:
        return _suffix(int(last_text), size)
    first, last = int(first_text), int(last_text) if last_text else size - 1
    if last_text and last < first:
        return None  # not a valid range: ignored, as RFC 9110 §14.2 says
    if first >= size:
        raise _unsatisfiable(size)
    return ByteRange(first, min(last, size - 1))


def _suffix(length: int, size: int) -> ByteRange:
    if length == 0:
        raise _unsatisfiable(size)
    return ByteRange(max(0, size - length), size - 1)


def _unsatisfiable(size: int) -> RangeNotSatisfiable:
    return RangeNotSatisfiable(
        f"请求的数据段超出证据文件大小（共 {size} 字节），请从头重新播放或下载",
        f"requested range starts beyond the item's {size} bytes",
        extra={"size": size},
    )
