"""Statistics pages for region staff: read rollups, render tables and a chart."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from npohub.core.errors import NotFound

from .presenters import region_dashboard_context
from .selectors import region_dashboard_for


@require_GET
@login_required
def region_dashboard(request: HttpRequest, code: str | None = None) -> HttpResponse:
    try:
        dashboard = region_dashboard_for(request.user, code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "dashboards/region_dashboard.html", region_dashboard_context(dashboard))
