"""/api/v1/public/organizations/: the public register for the portal. No sign-in, public fields only."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from npohub.orgs.models import Organization
from npohub.orgs.selectors import (
    OrganizationFilters,
    public_organization_get,
    public_organization_list,
)

from ..orgs.endpoints import ERRORS, region_prefix
from ..orgs.schemas import PublicFilterIn, PublicOrganizationDetailOut, PublicOrganizationOut
from ..pagination import Page, PageParams, paginate

router = Router(auth=None, tags=["public"])


@router.get(
    "/organizations/",
    response={200: Page[PublicOrganizationOut], **ERRORS},
    operation_id="public_organizations_list",
)
def public_organization_search(
    request: HttpRequest, filters: Query[PublicFilterIn], page: Query[PageParams]
) -> dict[str, Any]:
    """Search the public register by name, pinyin initials or USCC prefix."""
    qs = public_organization_list(
        OrganizationFilters(
            search=filters.q, kind=filters.kind, region_prefix=region_prefix(filters.region)
        )
    )
    return paginate(request, qs, page)


@router.get(
    "/organizations/{int:org_id}",
    response={200: PublicOrganizationDetailOut, **ERRORS},
    operation_id="public_organizations_detail",
)
def public_organization_detail(request: HttpRequest, org_id: int) -> Organization:
    """One organisation's public record (legal representative by name only)."""
    return public_organization_get(org_id)
