"""Statistics pages for region staff: read rollups, render tables and a chart."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from npohub.accounts.models import User

from .presenters import region_dashboard_context
from .selectors import region_dashboard_for


@require_GET
@login_required
def region_dashboard(request: HttpRequest, code: str | None = None) -> HttpResponse:
    dashboard = region_dashboard_for(cast(User, request.user), code)
    return render(request, "dashboards/region_dashboard.html", region_dashboard_context(dashboard))
