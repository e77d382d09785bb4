"""Corrupting a stored object behind S3's back, in the embedded SeaweedFS volume files.

``weed mini`` keeps object bytes in needles inside ``<data_dir>/s3/**/*.dat``
(needle format v3: cookie 4, id 8, size 4 | data_size 4, data, flags, … |
CRC-32C of data 4 | append time 8 | padding). A small object is one needle, so
a unique marker at the start of the payload finds its data in place.
"""

from __future__ import annotations

import mmap
import struct
from pathlib import Path


def _crc32c_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def find_needle(s3_dir: Path, marker: bytes) -> tuple[Path, int]:
    """The one volume file holding ``marker``, and where the marker (the needle's data) starts."""
    hits = []
    for path in s3_dir.rglob("*.dat"):
        if path.stat().st_size == 0:
            continue
        with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
            start = data.find(marker)
            while start != -1:
                hits.append((path, start))
                start = data.find(marker, start + 1)
    assert len(hits) == 1, f"marker found {len(hits)} times on disk"
    return hits[0]


def flip_byte(s3_dir: Path, marker: bytes, length: int, offset: int, *, keep_store_crc_valid: bool) -> None:
    """Flip one bit of the object's byte at ``offset``; optionally rewrite the needle's CRC so the
    store's own check passes too (silent corruption or deliberate tampering by someone on the disk)."""
    path, start = find_needle(s3_dir, marker)
    with path.open("r+b") as file:
        file.seek(start - 8)
        size, data_size = struct.unpack(">II", file.read(8))
        assert data_size == length, "the object is not one needle: the layout assumption no longer holds"
        file.seek(start)
        data = bytearray(file.read(data_size))
        data[offset] ^= 0x01
        file.seek(start + offset)
        file.write(data[offset : offset + 1])
        if keep_store_crc_valid:
            file.seek(start - 4 + size)
            file.write(struct.pack(">I", crc32c(bytes(data))))
