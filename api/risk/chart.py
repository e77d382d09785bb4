"""The performance report as a bar chart (PNG), one group of bars per department.

matplotlib is not a dependency of the API (it comes with the vision extra);
without it the chart answers 503 and the JSON report still works. Labels
are English and department codes: the server may have no CJK font.
"""

from __future__ import annotations

import io

from mobile_contract.problems import UpstreamError
from mobile_contract.risk import PerformanceReport

SERIES = (
    ("items_without_records", "catalogue items without a record (inaction)", "#c0392b"),
    ("late_credit_reports", "late credit-platform reports (> 7 days)", "#e67e22"),
    ("alerts_not_handled", "camera alerts without feedback", "#2980b9"),
)


def render_png(report: PerformanceReport) -> bytes:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator
    except ImportError as exc:
        raise UpstreamError(
            "服务器未安装图表组件，请使用 JSON 报表", "matplotlib is not installed", code="chart-unavailable"
        ) from exc
    departments = report.departments
    figure = Figure(figsize=(10, 1.6 + 0.9 * max(1, len(departments))), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    height = 0.8 / len(SERIES)
    for i, (field, label, colour) in enumerate(SERIES):
        values = [len(getattr(d, field)) for d in departments]
        positions = [row + (i - 1) * height for row in range(len(departments))]
        bars = axes.barh(positions, values, height=height, label=label, color=colour)
        axes.bar_label(bars, padding=2)
    axes.set_yticks(range(len(departments)), [f"{d.department_code}\n({d.items_total} items)" for d in departments])
    axes.invert_yaxis()
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("count")
    axes.set_title(f"Supervision performance {report.period_from} to {report.period_to} (as of {report.as_of})")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=len(SERIES), fontsize="small")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
