"""Print pages of the credit lists (A4, ``print_base.html``): the decision to list an organisation
in, or remove it from, 活动异常名录 / 严重违法失信名单, and the decision on an objection or a
credit-repair application. Fetched exactly as their pages (``listing_get_for`` as the listing's
request form and API, ``request_get_for`` as the request's page); neither page shows personal
data, so neither does the print."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from npohub.accounts.models import User
from npohub.core.printing import authority_name, print_context
from npohub.orgs.models import Organization

from .models import CreditList, RequestKind, RequestState
from .selectors import listing_get_for, request_get_for


def _authority(org: Organization) -> str:
    region = org.authority_region
    return authority_name(region.name if region else "")


def listing_title(credit_list: str, *, removed: bool) -> str:
    """列入/移出 活动异常名录 / 严重违法失信名单 决定书."""
    if credit_list == CreditList.SERIOUS:
        return _("移出严重违法失信名单决定书") if removed else _("列入严重违法失信名单决定书")
    return _("移出活动异常名录决定书") if removed else _("列入活动异常名录决定书")


def request_title(kind: str, state: str) -> str:
    """The decision once made, the application before it."""
    decided = state not in (RequestState.FILED, RequestState.WITHDRAWN)
    if kind == RequestKind.REPAIR:
        return _("信用修复决定书") if decided else _("信用修复申请书")
    return _("异议处理决定书") if decided else _("异议申请书")


@login_required
@require_GET
def listing_print(request: HttpRequest, listing_id: int) -> HttpResponse:
    user = cast(User, request.user)
    listing = listing_get_for(user, listing_id)
    context = print_context(
        authority=_authority(listing.organization),
        back_url=reverse("credit:organization-credit", args=[listing.organization_id]),
        listing=listing,
        org=listing.organization,
        title=listing_title(listing.credit_list, removed=listing.removed_on is not None),
        events=list(listing.events.all()),
        requests=list(listing.requests.exclude(state=RequestState.WITHDRAWN)),
    )
    return render(request, "credit/listing_print.html", context)


@login_required
@require_GET
def request_print(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    item = request_get_for(user, pk)
    context = print_context(
        authority=_authority(item.organization),
        back_url=reverse("credit:request-detail", args=[item.pk]),
        item=item,
        org=item.organization,
        title=request_title(item.kind, item.state),
        decided=item.state not in (RequestState.FILED, RequestState.WITHDRAWN),
    )
    return render(request, "credit/request_print.html", context)
