"""Federation and platform coverage, drilling down city → district → street."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

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
    context = {
        "prefix": prefix,
        "area": area,
        "trail": trail,
        "federations": selectors.federation_coverage(prefix, group_level=level),
        "drill": level < Level.TOWNSHIP,
        "platforms": selectors.platform_coverage(prefix),
        "kinds": kind_counts(selectors.hub_counts_by_kind(prefix)),
    }
    return render(request, "hubs/coverage.html", context)
