"""/api/v1/public/: the public register for the portal, certificate verification and the
registration announcements. No sign-in, public fields only."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from npohub.core.errors import NotFound, ValidationFailed
from npohub.orgs.models import Organization
from npohub.orgs.selectors import (
    OrganizationFilters,
    public_organization_get,
    public_organization_list,
)
from npohub.registration.models import AnnouncementKind, Certificate
from npohub.registration.selectors import announcements_public, certificate_by_token

from ..orgs.endpoints import ERRORS, region_prefix
from ..orgs.schemas import PublicFilterIn, PublicOrganizationDetailOut, PublicOrganizationOut
from ..pagination import Page, PageParams, paginate
from .schemas import AnnouncementFilterIn, AnnouncementOut, CertificateVerificationOut

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


# --- certificate verification and announcements (helper "reg-cert") ---------------------------


@router.get(
    "/certificates/{token}",
    response={200: CertificateVerificationOut, **ERRORS},
    operation_id="public_certificates_verify",
)
def public_certificate_verify(request: HttpRequest, token: str) -> Certificate:
    """Verify a registration certificate by the token in its QR code: ``valid`` or ``void``."""
    cert = certificate_by_token(token)
    if cert is None:
        raise NotFound(_("未找到该证书"))
    return cert


@router.get(
    "/announcements",
    response={200: Page[AnnouncementOut], **ERRORS},
    operation_id="public_announcements_list",
)
def public_announcement_list(
    request: HttpRequest, filters: Query[AnnouncementFilterIn], page: Query[PageParams]
) -> dict[str, Any]:
    """Registration announcements (成立、变更、注销、撤销登记), newest first."""
    if filters.kind and filters.kind not in AnnouncementKind.values:
        raise ValidationFailed(
            _("公告类型无效"),
            details={"kind": _("可选：%(kinds)s") % {"kinds": ", ".join(AnnouncementKind.values)}},
        )
    qs = announcements_public(q=filters.q.strip(), kind=filters.kind)
    return paginate(request, qs, page)
