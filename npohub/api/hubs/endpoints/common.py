"""What the hub endpoints share: the router, the error shapes, the caller, and the
renderings of a hub and a stay on its roster."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from npohub.accounts.models import User
from npohub.core.errors import NotFound, PermissionDenied, ValidationFailed
from npohub.hubs.models import (
    Hub,
    HubKind,
    HubMembership,
)
from npohub.hubs.permissions import can_view_hubs
from npohub.orgs.models import Organization
from npohub.orgs.selectors import organization_visible_to
from npohub.regions.models import Region

from ...request import api_user
from ..schemas import (
    ErrorOut,
)

router = Router(tags=["hubs"])

ERRORS: dict[int, Any] = dict.fromkeys((401, 403, 404, 409, 422), ErrorOut)


def viewer(request: HttpRequest) -> User:
    """The caller, if their role may read hub governance at all (403 with the reason)."""
    user = api_user(request)
    decision = can_view_hubs(user)
    if not decision:
        raise PermissionDenied(decision.reason)
    return user


def org_for(user: User, pk: int) -> Organization:
    """An organisation the caller may see (404 as for a missing one otherwise)."""
    org = organization_visible_to(user).filter(pk=pk).first()
    if org is None:
        raise NotFound(_("组织不存在"))
    return org


def region_by_code(code: str, field: str, *, level: int | None = None) -> Region:
    """A region by code (any significant prefix), or a 422 naming the field."""
    code = code.strip()
    qs = Region.objects.active().filter(code=code.ljust(12, "0"))
    if level is not None:
        qs = qs.filter(level=level)
    region = qs.first() if code.isdigit() and len(code) <= 12 else None
    if region is None:
        raise ValidationFailed(
            _("未找到区划“%(code)s”") % {"code": code}, details={field: _("无效")}
        )
    return region


def ref(org: Organization) -> dict[str, Any]:
    return {"id": org.pk, "name": org.name, "uscc": org.uscc}


def hub_out(hub: Hub) -> dict[str, Any]:
    count = getattr(hub, "member_count", None)
    if count is None:
        count = hub.memberships.filter(left_on__isnull=True).count()
    return {
        "id": hub.pk,
        "name": hub.name,
        "kind": hub.kind,
        "kind_label": str(HubKind(hub.kind).label),
        "status": hub.status,
        "organization": ref(hub.organization),
        "region_code": hub.region.code if hub.region_id else "",  # type: ignore[union-attr]
        "scope_prefix": hub.scope_prefix,
        "category": hub.category.code if hub.category_id else "",  # type: ignore[union-attr]
        "scope_note": hub.scope_note,
        "decision_number": hub.decision_number,
        "decision_date": hub.decision_date,
        "decision_text": hub.decision_text,
        "valid_from": hub.valid_from,
        "valid_until": hub.valid_until,
        "revoked_on": hub.revoked_on,
        "revoked_reason": hub.revoked_reason,
        "member_count": count,
    }


def membership_out(m: HubMembership) -> dict[str, Any]:
    return {
        "id": m.pk,
        "hub_id": m.hub_id,
        "organization": ref(m.organization),
        "role": m.role,
        "joined_on": m.joined_on,
        "left_on": m.left_on,
        "leave_reason": m.leave_reason,
        "agreement_signed_on": m.agreement_signed_on,
        "agreement_terms": m.agreement_terms,
    }
