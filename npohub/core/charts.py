"""The data of one chart, as ``static/npohub/charts.js`` reads it from a ``json_script``.

A page builds its chart from the same rows it shows in the table below the chart (never from a
second query), so the figures cannot disagree. The figure's kind (bar, line, rate, pie) is the
chart element's ``data-chart-type``; see ``templates/components/chart.html``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

Number = int | float | Decimal | None


def _plain(value: Number) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value


def chart_data(
    categories: Iterable[object],
    series: Sequence[tuple[object, Iterable[Number]]],
    *,
    urls: Sequence[str] | None = None,
    stacked: bool = True,
) -> dict[str, Any]:
    """``{categories, series: [{name, data}], urls?, stacked}``, JSON-ready (labels as str,
    decimals as floats, a missing value as null)."""
    data: dict[str, Any] = {
        "categories": [str(c) for c in categories],
        "series": [
            {"name": str(name), "data": [_plain(v) for v in values]} for name, values in series
        ],
        "stacked": stacked,
    }
    if urls is not None:
        data["urls"] = list(urls)
    return data


def month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of the months from ``first``'s month to ``last``'s, in order."""
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def month_label(day: dt.date) -> str:
    """2026-03-01 → 2026年3月 (the axis label of a month)."""
    return f"{day.year}年{day.month}月"
