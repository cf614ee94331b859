"""/api/v1/public/credit/: what the portal publishes about credit, no sign-in (rule 35)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from npohub.credit import selectors
from npohub.credit.models import Listing
from npohub.orgs.selectors import public_organization_get

from ..pagination import Page, PageParams, paginate
from .endpoints import filters_of
from .schemas import ErrorOut, ListingFilterIn, PublicListingOut, PublicStatusOut

router = Router(auth=None, tags=["public"])


def public_listing_out(listing: Listing) -> dict[str, Any]:
    org = listing.organization
    return {
        "organization_id": org.pk,
        "organization_name": org.name,
        "uscc": org.uscc,
        "credit_list": listing.credit_list,
        "reason": listing.reason,
        "legal_basis": listing.legal_basis,
        "listed_on": listing.listed_on,
        "removed_on": listing.removed_on,
        "removal_reason": listing.removal_reason,
    }


@router.get(
    "/listings",
    response={200: Page[PublicListingOut]},
    operation_id="public_credit_listings_list",
)
def public_listings(
    request: HttpRequest, filters: Query[ListingFilterIn], page: Query[PageParams]
) -> dict[str, Any]:
    """Both lists, searchable, with listing and removal dates, reason and legal basis."""
    return paginate(
        request, selectors.public_listing_list(filters_of(filters)), page, render=public_listing_out
    )


@router.get(
    "/organizations/{int:org_id}",
    response={200: PublicStatusOut, 404: ErrorOut},
    operation_id="public_credit_organization_status",
)
def public_status(request: HttpRequest, org_id: int, on: dt.date | None = None) -> dict[str, Any]:
    """An organisation's public credit status: the listings in force on the date."""
    org = public_organization_get(org_id)
    day = on or timezone.localdate()
    return {
        "organization_id": org.pk,
        "name": org.name,
        "on": day,
        "listings": [public_listing_out(item) for item in selectors.listings_as_of(org, day)],
    }
