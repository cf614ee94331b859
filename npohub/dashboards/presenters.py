"""What the region dashboard prints: a ``RegionDashboard`` turned into strings, once per request.

Every number is formatted here (``NumberFormat``: the active language's separators, read once),
every drill-down link is built from one reversed URL (``RegionUrls``), and the bodies of the
three count tables are rendered to HTML here (``_RowRenderer``), so the page template prints each
table body with one variable. Headings, labels and all other text stay in the template.

Why not in the template: a street has ~35 communities with ~22 cells each; in the template
language every cell cost a loop step, a variable lookup, an ``intcomma`` call (~16 µs: it reads
the format settings on every call) and an escape, plus ``{% include %}`` for the name and
coverage cells of every row: most of the ~20 ms the page used to take. The same markup costs
~0.5 ms here. Names and translated labels are escaped; numbers are digits and the (escaped)
separators of the active language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from html import escape  # what django.utils.html.escape runs, without its lazy-string wrapper
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from npohub.orgs.models import Kind, Status

from .selectors import KINDS, STATUSES, ChildRow, Counts, Coverage, RegionDashboard


@dataclass(frozen=True)
class NumberFormat:
    """Django's ``number_format`` for the active language, with its format settings read once.

    ``intcomma`` is ``{{ n|intcomma }}`` (grouping forced) and ``plain`` is ``{{ value }}`` (grouped
    only with ``USE_THOUSAND_SEPARATOR``). Both languages group by three with "," (Simplified
    Chinese through ``config/formats/zh_Hans``; Django's own has no separator), so the page
    shows 29,000.
    """

    decimal_separator: str
    thousand_separator: str
    grouping: int | tuple[int, ...]
    group_plain: bool

    @classmethod
    def current(cls) -> NumberFormat:
        grouping = get_format("NUMBER_GROUPING")
        return cls(
            decimal_separator=str(get_format("DECIMAL_SEPARATOR")),
            thousand_separator=str(get_format("THOUSAND_SEPARATOR")),
            grouping=grouping if isinstance(grouping, int) else tuple(grouping),
            group_plain=bool(settings.USE_THOUSAND_SEPARATOR),
        )

    def escaped(self) -> NumberFormat:
        """The same format with HTML-safe separators, for markup built outside a template."""
        return replace(
            self,
            decimal_separator=escape(self.decimal_separator),
            thousand_separator=escape(self.thousand_separator),
        )

    def intcomma(self, number: int) -> str:
        return self._format(str(number), grouped=True)

    def intcomma_function(self) -> Callable[[int], str]:
        """``intcomma`` as the cheapest equivalent function (a page formats ~800 numbers)."""
        separator = self.thousand_separator
        if not separator or self.grouping == 0:
            return str  # zh-hans: grouping inserts "", the digits stay as they are
        if self.grouping == 3:
            if separator == ",":
                return "{:,}".format  # en
            return lambda number: f"{number:,}".replace(",", separator)
        return self.intcomma

    def plain(self, value: int | Decimal) -> str:
        """An int, or a Decimal as the averages are (one decimal place, nowhere near the 200
        digits above which Django switches to scientific notation)."""
        return self._format(
            f"{value:f}" if isinstance(value, Decimal) else str(value), self.group_plain
        )

    def _format(self, text: str, grouped: bool) -> str:
        """``django.utils.numberformat.format`` on an already printed number."""
        sign = ""
        if text[0] == "-":
            sign, text = "-", text[1:]
        int_part, _dot, dec_part = text.partition(".")
        if dec_part:
            dec_part = self.decimal_separator + dec_part
        if grouped and self.grouping != 0 and len(int_part) > 1:
            int_part = self._group(int_part)
        return sign + int_part + dec_part

    def _group(self, digits: str) -> str:
        separator = self.thousand_separator
        if self.grouping == 3:
            return f"{int(digits):,}".replace(",", separator)
        intervals = [self.grouping, 0] if isinstance(self.grouping, int) else list(self.grouping)
        active = intervals.pop(0)
        grouped, count = "", 0
        for digit in digits[::-1]:
            if count and count == active:
                if intervals:
                    active = intervals.pop(0) or active
                grouped += separator[::-1]
                count = 0
            grouped += digit
            count += 1
        return grouped[::-1]


@dataclass(frozen=True)
class RegionUrls:
    """``reverse("dashboards:region", args=[code])`` for many codes with one ``reverse``."""

    head: str
    tail: str

    @classmethod
    def current(cls) -> RegionUrls:
        marker = "__code__"
        head, tail = reverse("dashboards:region", args=[marker]).split(marker)
        return cls(head, tail)

    def __call__(self, code: str) -> str:
        # Region codes are digits: nothing to quote, the same string ``reverse`` returns.
        return self.head + code + self.tail


@dataclass(frozen=True)
class CountTotals:
    """One row's counts by kind (``KINDS`` order), by status (``STATUSES`` order) and in all."""

    by_kind: list[int]
    by_status: list[int]
    total: int

    @classmethod
    def of(cls, counts: Counts) -> CountTotals:
        kinds: dict[str, int] = {}
        statuses: dict[str, int] = {}
        for (kind, status), n in counts.cells.items():
            kinds[kind] = kinds.get(kind, 0) + n
            statuses[status] = statuses.get(status, 0) + n
        return cls(
            by_kind=[kinds.get(k, 0) for k in KINDS],
            by_status=[statuses.get(s, 0) for s in STATUSES],
            total=sum(counts.cells.values()),
        )


def child_level_label(level: int | None) -> str:
    """What the children of a region are called: 区县, 街道/乡镇, 社区/村."""
    labels = {2: _("地市"), 3: _("区县"), 4: _("街道/乡镇"), 5: _("社区/村")}
    return labels.get(level or 0, "")


def kind_headers() -> list[str]:
    """Short column headers for the four kinds (the full labels are too wide for a table)."""
    short = {
        Kind.ASSOCIATION: _("社会团体"),
        Kind.SOCIAL_SERVICE: _("社会服务机构"),
        Kind.FOUNDATION: _("基金会"),
        Kind.COMMUNITY_GROUP: _("备案社区社会组织"),
    }
    return [short[Kind(k)] for k in KINDS]


# Committee suffixes that make community names too long for an axis label (data, not UI text).
_SUFFIXES = ("居民委员会", "村民委员会", "居委会", "村委会")


def short_name(name: str) -> str:
    """解放桥社区居民委员会 → 解放桥社区 (for chart labels; tables keep the full name)."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


class _RowRenderer:
    """Rows and cells of the count tables, with the translated labels looked up once."""

    def __init__(self, numbers: NumberFormat, urls: RegionUrls) -> None:
        self.n = numbers.intcomma_function()
        self.plain = numbers.plain
        self.urls = urls
        self.met = escape(_("达到目标"))
        self.not_met = escape(_("未达目标"))
        self.retired_title = escape(_("该代码没有有效的区划记录（可能已撤销或合并）"))
        self.retired = escape(_("（已撤销区划）"))
        self.direct = escape(_("直属（住所未细化到下级区划）"))

    def child_name(self, row: ChildRow) -> str:
        """The first cell: a drill-down link, a retired code, or the region's own remainder."""
        if row.row_type == "child":
            return f'<a href="{self.urls(row.code)}">{escape(row.name)}</a>'
        if row.row_type == "retired":
            return (
                f'<span class="muted" title="{self.retired_title}">'
                f"{escape(row.code)} {self.retired}</span>"
            )
        return f'<span class="muted">{self.direct}</span>'

    def coverage_cell(self, average: Decimal | None, met: bool | None) -> str:
        """An average against its target: ✓ or ✗, or a dash without communities."""
        if met is None or average is None:
            return '<span class="muted">—</span>'
        if met:
            return f'<span class="ok" title="{self.met}">{self.plain(average)} ✓</span>'
        return f'<span class="bad" title="{self.not_met}">{self.plain(average)} ✗</span>'

    def count_row(self, row: ChildRow, totals: CountTotals) -> str:
        """Name, counts by kind, counts by status, total."""
        cells = '</td><td class="num">'.join(map(self.n, (*totals.by_kind, *totals.by_status)))
        return (
            f'<tr><td>{self.child_name(row)}</td><td class="num">{cells}</td>'
            f'<td class="num"><strong>{self.n(totals.total)}</strong></td></tr>'
        )

    def kind_row(self, header: str, by_status: list[int], total: int) -> str:
        """One kind: counts by status, total."""
        cells = '</td><td class="num">'.join(map(self.n, by_status))
        return (
            f'<tr><td>{escape(header)}</td><td class="num">{cells}</td>'
            f'<td class="num"><strong>{self.n(total)}</strong></td></tr>'
        )

    def total_cells(self, totals: CountTotals) -> str:
        """The footer of the kind × status table: totals by status, then the grand total."""
        cells = '</th><th class="num">'.join(map(self.n, (*totals.by_status, totals.total)))
        return f'<th class="num">{cells}</th>'

    def flagged(self, value: int, css: str) -> str:
        """A count worth attention in a coloured span, or a plain 0."""
        return f'<span class="{css}">{self.n(value)}</span>' if value else "0"

    def coverage_cells(self, cov: Coverage) -> str:
        """Urban: communities, groups, average, below target; the same for rural; unclassified
        communities; communities whose urban/rural flag is inferred."""
        n = self.n
        cells = (
            n(cov.urban_communities),
            n(cov.urban_groups),
            self.coverage_cell(cov.urban_average, cov.urban_met),
            self.flagged(cov.urban_below, "bad"),
            n(cov.rural_communities),
            n(cov.rural_groups),
            self.coverage_cell(cov.rural_average, cov.rural_met),
            self.flagged(cov.rural_below, "bad"),
            n(cov.unknown_communities),
            self.flagged(cov.inferred_communities, "badge badge-inferred"),
        )
        return '<td class="num">' + '</td><td class="num">'.join(cells) + "</td>"

    def coverage_row(self, row: ChildRow) -> str:
        return f"<tr><td>{self.child_name(row)}</td>{self.coverage_cells(row.coverage)}</tr>"


@dataclass(frozen=True)
class Crumb:
    name: str
    url: str


def chart_data(
    rows: list[tuple[ChildRow, CountTotals]], urls: RegionUrls, headers: list[str]
) -> dict[str, Any]:
    """Children × kind counts for the stacked bar chart; a click on a bar drills down."""
    children = [(row, totals) for row, totals in rows if row.row_type == "child"]
    return {
        "categories": [short_name(row.name) for row, _totals in children],
        "urls": [urls(row.code) for row, _totals in children],
        "series": [
            {"name": header, "data": [totals.by_kind[i] for _row, totals in children]}
            for i, header in enumerate(headers)
        ],
    }


def region_dashboard_context(dashboard: RegionDashboard) -> dict[str, Any]:
    """The page's template context: strings to print, safe HTML for the table bodies."""
    numbers = NumberFormat.current()
    urls = RegionUrls.current()
    cells = _RowRenderer(numbers.escaped(), urls)
    n = numbers.intcomma_function()
    headers = kind_headers()
    own = CountTotals.of(dashboard.counts)
    rows = [(row, CountTotals.of(row.counts)) for row in dashboard.children]
    coverage = dashboard.coverage
    return {
        "dashboard": dashboard,
        "region": dashboard.region,
        "children": dashboard.children,
        "coverage": coverage,
        "breadcrumb": [Crumb(r.name, urls(r.code)) for r in dashboard.breadcrumb],
        "registered": n(dashboard.counts.open_registered),
        "open_groups": n(dashboard.counts.open_groups),
        "urban_average": mark_safe(cells.coverage_cell(coverage.urban_average, coverage.urban_met)),
        "rural_average": mark_safe(cells.coverage_cell(coverage.rural_average, coverage.rural_met)),
        "kind_headers": headers,
        "status_labels": [str(Status(s).label) for s in STATUSES],
        "kind_rows": _html(
            cells.kind_row(header, [dashboard.counts.get(kind, s) for s in STATUSES], total)
            for kind, header, total in zip(KINDS, headers, own.by_kind, strict=True)
        ),
        "total_cells": _html([cells.total_cells(own)]),
        "chart": chart_data(rows, urls, headers),
        # Composition of the region's own total (the table's 合计 row), by kind and by status.
        "kind_chart": {
            "categories": headers,
            "series": [{"name": str(_("社会组织")), "data": own.by_kind}],
        },
        "status_chart": {
            "categories": [str(Status(s).label) for s in STATUSES],
            "series": [{"name": str(_("社会组织")), "data": own.by_status}],
        },
        "child_level_label": child_level_label(dashboard.child_level),
        "count_rows": _html(cells.count_row(row, totals) for row, totals in rows),
        "coverage_rows": _html(
            cells.coverage_row(row) for row, _totals in rows if row.row_type != "direct"
        ),
        "coverage_total": _html([cells.coverage_cells(coverage)]),
    }


def _html(parts: Iterable[str]) -> SafeString:
    """Join markup built from escaped names, translated labels and formatted numbers."""
    return mark_safe("".join(parts))
