"""The public portal: search the register and read an organisation's public profile.

Anonymous; a signed-in user sees exactly the same public data.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from npohub.orgs.selectors import public_organization_get, public_organization_list
from npohub.regions.codes import prefix_of
from npohub.regions.models import Level, Region
from npohub.registration.selectors import (
    announcement_public_get,
    announcements_of,
    announcements_public,
    certificate_by_token,
    current_certificate,
)

from .forms import AnnouncementSearchForm, PortalSearchForm
from .public import (
    certificate_verification,
    city_totals,
    is_closed,
    public_list_fields,
    public_profile,
)

PAGE_SIZE = 20


def city_districts() -> list[Region]:
    city = prefix_of(settings.NPOHUB_CITY_CODE)
    return list(
        Region.objects.active()
        .filter(level=Level.COUNTY, code__range=(city.ljust(12, "0"), city.ljust(12, "9")))
        .only("code", "name", "level")
        .order_by("code")
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    form = PortalSearchForm(request.GET, districts=city_districts())
    filters = form.to_filters()
    results = public_list_fields(public_organization_list(filters))
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    searching = bool(filters.search or filters.kind or filters.status or filters.region_prefix)
    context = {"form": form, "page": page, "totals": city_totals(), "searching": searching}
    template = (
        "portal/partials/results.html"
        if getattr(request, "htmx", False)
        else "portal/organization_search.html"
    )
    return render(request, template, context)


@require_GET
def organization(request: HttpRequest, pk: int) -> HttpResponse:
    org = public_organization_get(pk)
    context = {
        "org": org,
        "fields": public_profile(org),
        "is_closed": is_closed(org),
        "certificate": current_certificate(org) if org.is_registered else None,
        "announcements": list(announcements_of(org)[:PROFILE_ANNOUNCEMENTS]),
    }
    return render(request, "portal/organization_profile.html", context)


# --- certificate verification and registration announcements -----------------------------------

PROFILE_ANNOUNCEMENTS = 10


@require_GET
def certificate_verify(request: HttpRequest, token: str) -> HttpResponse:
    """What the QR code on a certificate opens: is this certificate the current one?"""
    cert = certificate_by_token(token)
    if cert is None:
        return render(request, "portal/certificate_not_found.html", status=404)
    context = {"v": certificate_verification(cert), "today": timezone.localdate()}
    return render(request, "portal/certificate_verify.html", context)


@require_GET
def announcement_list(request: HttpRequest) -> HttpResponse:
    form = AnnouncementSearchForm(request.GET)
    q, kind = form.criteria()
    page = Paginator(announcements_public(q=q, kind=kind), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "page": page, "searching": bool(q or kind)}
    template = (
        "portal/partials/announcement_results.html"
        if getattr(request, "htmx", False)
        else "portal/announcement_list.html"
    )
    return render(request, template, context)


@require_GET
def announcement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    announcement = announcement_public_get(pk)
    return render(request, "portal/announcement_detail.html", {"announcement": announcement})
