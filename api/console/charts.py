"""Bar charts drawn on the server as SVG (统计图), for the supervisors' pages.

Why not a chart library: the oversight pages need horizontal bar charts of a few dozen counts. Drawn
here they are part of the page's HTML — Chinese labels in the console's own web font, no script
(so the strict Content-Security-Policy needs no exception; ECharts, the usual choice, writes inline
styles into its tooltips), nothing to fetch, printable, readable by a screen reader and by the tests,
and about 100 lines instead of a megabyte of JavaScript. This module computes the geometry;
``console/chart.html`` draws it; the colours are the stylesheet's (``series-0`` …).
"""

from __future__ import annotations

import msgspec

WIDTH = 800
LABEL_WIDTH = 230  # the row names, right-aligned against the bars
VALUE_ROOM = 70  # the number after the longest bar
ROW_GAP = 10
BAR_HEIGHT = 16
LABEL_CHARS = 16  # a longer name is cut (the full name stays in the bar's tooltip)


class Rect(msgspec.Struct, frozen=True):
    x: float
    y: float
    width: float
    height: float
    series: int
    title: str


class Text(msgspec.Struct, frozen=True):
    x: float
    y: float
    text: str
    anchor: str  # start or end
    kind: str  # name or value


class Chart(msgspec.Struct, kw_only=True):
    title: str
    width: int
    height: int
    series: list[str]
    rects: list[Rect]
    texts: list[Text]


class Row(msgspec.Struct, frozen=True):
    """One row of bars: its name and one value per series."""

    name: str
    values: tuple[int, ...]


def bar_chart(title: str, series: list[str], rows: list[Row], *, stacked: bool = False) -> Chart:
    """Horizontal bars, one group (or one stacked bar) per row, scaled to the largest."""
    band = BAR_HEIGHT if stacked else BAR_HEIGHT * len(series)
    largest = max((sum(r.values) if stacked else max(r.values, default=0) for r in rows), default=0) or 1
    scale = (WIDTH - LABEL_WIDTH - VALUE_ROOM) / largest
    rects, texts = [], []
    for n, row in enumerate(rows):
        top = ROW_GAP + n * (band + ROW_GAP)
        placed = (_stacked if stacked else _grouped)(row, top, scale, series)
        rects += placed
        texts.append(Text(LABEL_WIDTH - 8, top + band / 2, _short(row.name), "end", "name"))
        texts += _values(placed, row, stacked=stacked)
    height = ROW_GAP + len(rows) * (band + ROW_GAP)
    return Chart(title=title, width=WIDTH, height=max(height, 40), series=series, rects=rects, texts=texts)


def _grouped(row: Row, top: float, scale: float, series: list[str]) -> list[Rect]:
    return [
        Rect(LABEL_WIDTH, top + i * BAR_HEIGHT, v * scale, BAR_HEIGHT - 2, i, f"{row.name} · {series[i]}：{v}")
        for i, v in enumerate(row.values)
    ]


def _stacked(row: Row, top: float, scale: float, series: list[str]) -> list[Rect]:
    rects, x = [], float(LABEL_WIDTH)
    for i, v in enumerate(row.values):
        rects.append(Rect(x, top, v * scale, BAR_HEIGHT, i, f"{row.name} · {series[i]}：{v}"))
        x += v * scale
    return rects


def _values(placed: list[Rect], row: Row, *, stacked: bool) -> list[Text]:
    """The number after each bar, or after a stacked bar its total."""
    ends = [(r.x + r.width + 4, r.y + r.height / 2) for r in placed]
    if stacked:
        return [Text(*ends[-1], str(sum(row.values)), "start", "value")] if ends else []
    return [Text(x, y, str(v), "start", "value") for (x, y), v in zip(ends, row.values, strict=True)]


def _short(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"
