"""Federation and platform coverage, drilling down city → district → street."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from npohub.core.charts import chart_data
from npohub.regions.models import Level, Region

from .. import selectors
from ..permissions import can_view_hubs
from .common import kind_counts, require_page, signed_in


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    """Federation and platform coverage for the user's region, drilling down city → district →
    street, and recognised hubs per kind."""
    user = signed_in(request)
    require_page(can_view_hubs(user))
    prefix = selectors.coverage_prefix_for(user, request.GET.get("region", ""))
    if prefix is None:
        raise Http404(_("页面不存在"))
    level = selectors.coverage_group_level(prefix)
    area = Region.objects.active().filter(code=prefix.ljust(12, "0")).first() if prefix else None
    own = selectors.region_frame(user)
    cuts = [n for n in (4, 6, 9) if n <= len(prefix) and n >= len(own)]
    names = dict(
        Region.objects.filter(code__in=[prefix[:n].ljust(12, "0") for n in cuts]).values_list(
            "code", "name"
        )
    )
    trail = [(prefix[:n], names.get(prefix[:n].ljust(12, "0"), prefix[:n])) for n in cuts]
    federations = selectors.federation_coverage(prefix, group_level=level)
    trend = selectors.federation_coverage_trend(prefix, group_level=level)
    platforms = selectors.platform_coverage(prefix)
    kinds = kind_counts(selectors.hub_counts_by_kind(prefix))
    drill = level < Level.TOWNSHIP
    rows = federations["rows"]
    charts = {
        "trend": chart_data(
            [str(y) for y in trend.years],
            [(_("合计"), trend.total), *[(name, values) for _c, name, values in trend.rows]],
        ),
        "federations": chart_data(
            [r.name for r in rows],
            [
                (_("街道负责人任会长"), [r.chaired_by_head for r in rows]),
                (_("其他会长"), [r.with_federation - r.chaired_by_head for r in rows]),
                (_("未成立联合会"), [r.streets - r.with_federation for r in rows]),
            ],
            urls=[f"?region={r.code}" for r in rows] if drill else None,
        ),
        "platforms": chart_data(
            [c.label for c in platforms], [(_("覆盖率"), [c.coverage for c in platforms])]
        ),
        "kinds": chart_data(
            [label for label, n in kinds if n], [(_("枢纽型社会组织"), [n for _l, n in kinds if n])]
        ),
    }
    context = {
        "prefix": prefix,
        "area": area,
        "trail": trail,
        "federations": federations,
        "trend": trend,
        "drill": drill,
        "platforms": platforms,
        "kinds": kinds,
        "charts": charts,
    }
    return render(request, "hubs/coverage.html", context)
