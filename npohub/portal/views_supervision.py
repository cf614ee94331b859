"""Public pages of the supervision app: the annual-inspection conclusion announcement (年检结论公告)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from npohub.supervision.models import Conclusion
from npohub.supervision.selectors import published_conclusions, published_years


@require_GET
def conclusion_list(request: HttpRequest) -> HttpResponse:
    years = published_years()
    try:
        year = int(request.GET.get("year") or (years[0] if years else 0)) or None
    except ValueError:
        year = None
    page = Paginator(published_conclusions(year), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/supervision/conclusion_list.html",
        {"page": page, "years": years, "year": year, "conclusions": Conclusion},
    )
