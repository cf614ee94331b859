"""Hubs: the list, recognition and revocation, the roster and the staff accounts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Status

from npohub.accounts.models import User
from npohub.core.errors import ValidationFailed
from npohub.core.permissions import require
from npohub.hubs import selectors, services
from npohub.hubs.models import (
    Hub,
)
from npohub.hubs.permissions import can_see_part, hub_view
from npohub.orgs.models import Category

from ...pagination import Page, PageParams, paginate
from ...request import api_user
from ..schemas import (
    AgreementIn,
    HubOut,
    MemberAddIn,
    MemberLeaveIn,
    MembershipOut,
    RecogniseIn,
    RevokeIn,
    StaffAddIn,
    StaffOut,
)
from .common import ERRORS, hub_out, membership_out, org_for, region_by_code, router, viewer


@router.get("/hubs", response={200: Page[HubOut], **ERRORS}, operation_id="hubs_list")
def hub_list(
    request: HttpRequest,
    page: Query[PageParams],
    kind: str = "",
    status: str = "",
    region: str = "",
    q: str = "",
) -> Any:
    """Hubs the caller may see (their region's, their own hubs for hub staff)."""
    user = viewer(request)
    filters = selectors.HubFilters(
        kind=kind, status=status, region_prefix=region.strip().rstrip("0"), search=q.strip()
    )
    return paginate(request, selectors.hub_list_for(user, filters), page, render=hub_out)


@router.post("/hubs", response={201: HubOut, **ERRORS}, operation_id="hubs_recognise")
def hub_recognise(request: HttpRequest, payload: RecogniseIn) -> Any:
    """The bureau recognises a registered organisation as a hub for a region and/or a field."""
    user = api_user(request)
    org = org_for(user, payload.organization_id)
    region = (
        region_by_code(payload.region_code, "region_code") if payload.region_code.strip() else None
    )
    category = None
    if payload.category_code.strip():
        category = Category.objects.filter(code=payload.category_code.strip()).first()
        if category is None:
            raise ValidationFailed(_("未找到该领域"), details={"category_code": _("无效")})
    hub = services.hub_recognize(
        actor=user,
        organization=org,
        data=services.RecognitionInput(
            kind=payload.kind,
            decision_number=payload.decision_number,
            decision_date=payload.decision_date,
            valid_from=payload.valid_from,
            valid_until=payload.valid_until,
            region=region,
            category=category,
            scope_note=payload.scope_note,
            decision_text=payload.decision_text,
        ),
    )
    return Status(201, hub_out(selectors.hub_get_for(user, hub.pk)))


@router.get("/hubs/{int:hub_id}", response={200: HubOut, **ERRORS}, operation_id="hubs_detail")
def hub_detail(request: HttpRequest, hub_id: int) -> Any:
    return hub_out(selectors.hub_get_for(api_user(request), hub_id))


@router.post(
    "/hubs/{int:hub_id}/revoke", response={200: HubOut, **ERRORS}, operation_id="hubs_revoke"
)
def hub_revoke(request: HttpRequest, hub_id: int, payload: RevokeIn) -> Any:
    """Revoke the recognition: its staff lose access to every member at once."""
    user = api_user(request)
    hub = services.hub_revoke(
        actor=user, hub=selectors.hub_get_for(user, hub_id), reason=payload.reason
    )
    return hub_out(Hub.objects.select_related("organization", "region", "category").get(pk=hub.pk))


# --- roster ----------------------------------------------------------------------------------


@router.get(
    "/hubs/{int:hub_id}/members",
    response={200: Page[MembershipOut], **ERRORS},
    operation_id="hubs_members_list",
)
def member_list(
    request: HttpRequest, hub_id: int, page: Query[PageParams], current_only: bool = False
) -> Any:
    """The roster with its history (every stay, with join and leave dates)."""
    user = api_user(request)
    hub = selectors.hub_get_for(user, hub_id)
    require(can_see_part(hub_view(user, hub).sees_roster))
    return paginate(
        request, selectors.hub_members(hub, current_only=current_only), page, render=membership_out
    )


@router.post(
    "/hubs/{int:hub_id}/members",
    response={201: MembershipOut, **ERRORS},
    operation_id="hubs_members_add",
)
def member_add(request: HttpRequest, hub_id: int, payload: MemberAddIn) -> Any:
    user = api_user(request)
    hub = selectors.hub_get_for(user, hub_id)
    membership = services.hub_member_add(
        actor=user,
        hub=hub,
        organization=org_for(user, payload.organization_id),
        data=services.MembershipInput(
            joined_on=payload.joined_on,
            role=payload.role,
            agreement_signed_on=payload.agreement_signed_on,
            agreement_terms=payload.agreement_terms,
        ),
    )
    return Status(201, membership_out(membership))


@router.post(
    "/hubs/{int:hub_id}/members/{int:membership_id}/leave",
    response={200: MembershipOut, **ERRORS},
    operation_id="hubs_members_leave",
)
def member_leave(
    request: HttpRequest, hub_id: int, membership_id: int, payload: MemberLeaveIn
) -> Any:
    user = api_user(request)
    membership = selectors.membership_get(selectors.hub_get_for(user, hub_id), membership_id)
    membership = services.hub_member_leave(
        actor=user, membership=membership, left_on=payload.left_on, reason=payload.reason
    )
    return membership_out(membership)


@router.post(
    "/hubs/{int:hub_id}/members/{int:membership_id}/agreement",
    response={200: MembershipOut, **ERRORS},
    operation_id="hubs_members_sign_agreement",
)
def member_agreement(
    request: HttpRequest, hub_id: int, membership_id: int, payload: AgreementIn
) -> Any:
    """Record the supervision agreement (监管协议) with a current member."""
    user = api_user(request)
    membership = selectors.membership_get(selectors.hub_get_for(user, hub_id), membership_id)
    membership = services.hub_member_sign_agreement(
        actor=user, membership=membership, signed_on=payload.signed_on, terms=payload.terms
    )
    return membership_out(membership)


# --- staff -----------------------------------------------------------------------------------


def staff_out(account: User) -> dict[str, Any]:
    return {
        "id": account.pk,
        "username": account.get_username(),
        "display_name": account.display_name,
    }


@router.get(
    "/hubs/{int:hub_id}/staff",
    response={200: list[StaffOut], **ERRORS},
    operation_id="hubs_staff_list",
)
def staff_list(request: HttpRequest, hub_id: int) -> Any:
    user = api_user(request)
    hub = selectors.hub_get_for(user, hub_id)
    require(can_see_part(hub_view(user, hub).sees_staff))
    return [staff_out(u) for u in selectors.hub_staff_users(hub).order_by("username")]


@router.post(
    "/hubs/{int:hub_id}/staff", response={201: StaffOut, **ERRORS}, operation_id="hubs_staff_add"
)
def staff_add(request: HttpRequest, hub_id: int, payload: StaffAddIn) -> Any:
    """Make a hub-staff account staff of the hub: it then acts over the hub's members."""
    user = api_user(request)
    hub = selectors.hub_get_for(user, hub_id)
    account = selectors.account_named(payload.username)
    if account is None:
        raise ValidationFailed(
            _("未找到账号“%(name)s”") % {"name": payload.username.strip()},
            details={"username": _("无效")},
        )
    services.hub_staff_add(actor=user, hub=hub, user=account, valid_from=payload.valid_from)
    return Status(201, staff_out(account))


@router.post(
    "/hubs/{int:hub_id}/staff/{int:user_id}/remove",
    response={204: None, **ERRORS},
    operation_id="hubs_staff_remove",
)
def staff_remove(request: HttpRequest, hub_id: int, user_id: int) -> Any:
    user = api_user(request)
    hub = selectors.hub_get_for(user, hub_id)
    account = selectors.hub_staff_get(hub, user_id)
    services.hub_staff_remove(actor=user, hub=hub, user=account)
    return Status(204, None)
