"""Public pages of both credit lists: searchable, listing and removal dates, no personal data."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from npohub.credit.models import CreditList
from npohub.credit.selectors import ListingFilters, public_listing_list

PAGE_SIZE = 20


class PublicListingSearchForm(forms.Form):
    q = forms.CharField(label=_("名称/统一社会信用代码"), required=False, max_length=100)
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("current", _("在列")), ("removed", _("已移出")), ("all", _("全部"))],
    )


@require_GET
def credit_list(request: HttpRequest, credit_list: str) -> HttpResponse:
    form = PublicListingSearchForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    filters = ListingFilters(
        credit_list=credit_list,
        search=(data.get("q") or "").strip(),
        state=data.get("state") or "current",
    )
    page = Paginator(public_listing_list(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "title": CreditList(credit_list).label,
        "credit_list": credit_list,
    }
    htmx = bool(getattr(request, "htmx", False))
    template = "portal/credit/partials/results.html" if htmx else "portal/credit/list.html"
    return render(request, template, context)
