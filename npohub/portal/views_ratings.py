"""Public page of the grades in force: level, award date and validity, searchable."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from npohub.ratings.forms import GradeSearchForm
from npohub.ratings.selectors import public_grade_list

PAGE_SIZE = 30


@require_GET
def grade_list(request: HttpRequest) -> HttpResponse:
    form = GradeSearchForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    grades = public_grade_list(search=(data.get("q") or "").strip(), level=data.get("level") or "")
    page = Paginator(grades, PAGE_SIZE).get_page(request.GET.get("page"))
    partial = getattr(request, "htmx", False)
    template = (
        "portal/ratings/partials/results.html" if partial else "portal/ratings/grade_list.html"
    )
    return render(request, template, {"form": form, "page": page})
