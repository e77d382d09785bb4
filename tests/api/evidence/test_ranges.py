"""Reading a Range header (RFC 9110 §14): one range served, clipped to the item; anything else ignored or 416."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.evidence.ranges import ByteRange, requested
from mobile_contract.problems import RangeNotSatisfiable

ETAG = '"ab12"'
sizes = st.integers(min_value=1, max_value=10**12)


def served(header: str | None, size: int, if_range: str | None = None) -> ByteRange | None:
    return requested(header, if_range, size=size, etag=ETAG)


@given(size=sizes, data=st.data())
def test_a_range_inside_the_item_is_served_exactly(size: int, data: st.DataObject) -> None:
    first = data.draw(st.integers(0, size - 1))
    last = data.draw(st.integers(first, size - 1))
    assert served(f"bytes={first}-{last}", size) == ByteRange(first, last)


@given(size=sizes, data=st.data())
def test_an_open_or_overlong_range_ends_at_the_last_byte(size: int, data: st.DataObject) -> None:
    first = data.draw(st.integers(0, size - 1))
    beyond = data.draw(st.integers(size - 1, 10**13))
    assert served(f"bytes={first}-", size) == served(f"bytes={first}-{beyond}", size) == ByteRange(first, size - 1)


@given(size=sizes, suffix=st.integers(1, 10**13))
def test_a_suffix_is_the_last_bytes(size: int, suffix: int) -> None:
    assert served(f"bytes=-{suffix}", size) == ByteRange(max(0, size - suffix), size - 1)


@given(size=sizes, data=st.data())
def test_a_range_starting_past_the_end_is_refused_with_the_size(size: int, data: st.DataObject) -> None:
    first = data.draw(st.integers(size, 10**13))
    with pytest.raises(RangeNotSatisfiable) as refused:
        served(f"bytes={first}-", size)
    assert refused.value.extra == {"size": size} and refused.value.status == 416


@given(header=st.text(max_size=40), size=sizes)
def test_any_header_gives_the_whole_item_a_valid_range_or_416(header: str, size: int) -> None:
    try:
        found = served(header, size)
    except RangeNotSatisfiable:
        return
    assert found is None or 0 <= found.first <= found.last < size


@pytest.mark.parametrize(
    "header",
    ["bytes=0-1,5-9", "bytes=5-2", "items=0-1", "bytes=-", "bytes=١-٢", "bytes = 0-1", "bytes=0x10-"],
)
def test_several_ranges_and_malformed_ones_get_the_whole_item(header: str) -> None:
    assert served(header, 100) is None


def test_if_range_naming_another_validator_gets_the_whole_item() -> None:
    assert served("bytes=10-19", 100, if_range='"other"') is None
    assert served("bytes=10-19", 100, if_range="Wed, 21 Oct 2026 07:28:00 GMT") is None
    assert served("bytes=10-19", 100, if_range=ETAG) == ByteRange(10, 19)


def test_an_empty_suffix_is_refused() -> None:
    with pytest.raises(RangeNotSatisfiable):
        served("bytes=-0", 100)
