"""Server-drawn bar charts: bars proportional to their values, the largest filling the plot, names cut to fit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.console.charts import LABEL_CHARS, LABEL_WIDTH, VALUE_ROOM, WIDTH, Row, bar_chart

PLOT = WIDTH - LABEL_WIDTH - VALUE_ROOM
values = st.lists(st.integers(0, 10_000), min_size=3, max_size=3)


@given(rows=st.lists(values, min_size=1, max_size=20))
def test_grouped_bars_are_proportional_and_the_largest_fills_the_plot(rows: list[list[int]]) -> None:
    chart = bar_chart("t", ["a", "b", "c"], [Row(f"行{n}", tuple(v)) for n, v in enumerate(rows)])
    largest = max(max(v) for v in rows)
    widths = [r.width for r in chart.rects]
    assert len(widths) == 3 * len(rows)
    if largest:
        assert max(widths) == pytest.approx(PLOT)
        for width, value in zip(widths, [v for row in rows for v in row], strict=True):
            assert width == pytest.approx(value / largest * PLOT)
    assert all(r.x == LABEL_WIDTH and 0 <= r.y < chart.height for r in chart.rects)


@given(rows=st.lists(values, min_size=1, max_size=20))
def test_a_stacked_bar_is_its_parts_end_to_end_with_its_total_after_it(rows: list[list[int]]) -> None:
    chart = bar_chart("t", ["a", "b", "c"], [Row(f"行{n}", tuple(v)) for n, v in enumerate(rows)], stacked=True)
    for n, row in enumerate(rows):
        parts = chart.rects[3 * n : 3 * n + 3]
        assert [p.x + p.width for p in parts[:-1]] == pytest.approx([p.x for p in parts[1:]])
        [total] = [t for t in chart.texts if t.kind == "value" and abs(t.y - parts[0].y - parts[0].height / 2) < 1e-6]
        assert total.text == str(sum(row))


def test_a_long_name_is_cut_and_the_bar_keeps_it_whole() -> None:
    name = "某某县自然资源和规划局第二执法大队西山片区"
    chart = bar_chart("t", ["预警"], [Row(name, (3,))])
    [shown] = [t for t in chart.texts if t.kind == "name"]
    assert len(shown.text) == LABEL_CHARS and shown.text.endswith("…")
    assert chart.rects[0].title == f"{name} · 预警：3"


def test_no_rows_draws_an_empty_chart() -> None:
    chart = bar_chart("t", ["a"], [])
    assert (chart.rects, chart.texts, chart.height) == ([], [], 40)
