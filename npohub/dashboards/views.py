"""Statistics pages for region staff: read rollups, render tables and a chart."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from npohub.core.errors import NotFound
from npohub.orgs.models import Kind, Status

from .selectors import KINDS, STATUSES, RegionDashboard, region_dashboard_for


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


# Committee suffixes that make community names too long for an axis label.
_SUFFIXES = ("居民委员会", "村民委员会", "居委会", "村委会")


def short_name(name: str) -> str:
    """解放桥社区居民委员会 → 解放桥社区 (for chart labels; tables keep the full name)."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def chart_data(dashboard: RegionDashboard) -> dict[str, Any]:
    """Children × kind counts for the stacked bar chart; a click on a bar drills down."""
    children = [row for row in dashboard.children if row.row_type == "child"]
    return {
        "categories": [short_name(row.name) for row in children],
        "urls": [reverse("dashboards:region", args=[row.code]) for row in children],
        "series": [
            {"name": header, "data": [row.counts.kind_total(kind) for row in children]}
            for kind, header in zip(KINDS, kind_headers(), strict=True)
        ],
    }


@require_GET
@login_required
def region_dashboard(request: HttpRequest, code: str | None = None) -> HttpResponse:
    try:
        dashboard = region_dashboard_for(request.user, code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(
        request,
        "dashboards/region_dashboard.html",
        {
            "dashboard": dashboard,
            "region": dashboard.region,
            "kind_headers": kind_headers(),
            "kind_rows": [
                (header, [dashboard.counts.get(kind, s) for s in STATUSES], total)
                for kind, header, total in zip(
                    KINDS, kind_headers(), dashboard.counts.by_kind(), strict=True
                )
            ],
            "status_labels": [Status(s).label for s in STATUSES],
            "chart": chart_data(dashboard),
            "child_level_label": child_level_label(dashboard.child_level),
        },
    )
