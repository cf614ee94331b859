"""Public pages: the published star ratings ranked per region, and the award results."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from npohub.stars.models import StarAssessment
from npohub.stars.selectors import (
    public_award_rounds,
    public_star_list,
    published_years,
    winners_by_round,
)

PAGE_SIZE = 30


class PublicStarForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    region = forms.CharField(label=_("区划代码"), required=False, max_length=12)


@require_GET
def star_list(request: HttpRequest) -> HttpResponse:
    form = PublicStarForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    years = published_years()
    year = data.get("year") or (years[0] if years else None)
    region = (data.get("region") or "").strip()
    region = region.rstrip("0") if len(region) == 12 else region
    ranking = (
        public_star_list(year, region_prefix=region) if year else StarAssessment.objects.none()
    )
    page = Paginator(ranking, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "year": year, "years": years}
    partial = getattr(request, "htmx", False)
    template = "portal/stars/partials/results.html" if partial else "portal/stars/list.html"
    return render(request, template, context)


@require_GET
def award_list(request: HttpRequest) -> HttpResponse:
    rounds = list(public_award_rounds()[:20])
    winners = winners_by_round(rounds)
    context = {"rounds": [(r, winners[r.pk]) for r in rounds]}
    return render(request, "portal/stars/awards.html", context)
