"""Street federations (chair, unit members) and the streets' three lists."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Status

from npohub.hubs import selectors, services
from npohub.hubs.models import (
    Federation,
    FederationExternalMember,
    StreetListItem,
)
from npohub.regions.models import Level

from ...pagination import Page, PageParams, paginate
from ...request import api_user
from ..schemas import (
    ChairIn,
    ExternalLeaveIn,
    ExternalMemberIn,
    ExternalMemberOut,
    FederationDetailOut,
    FederationIn,
    FederationOut,
    ListItemIn,
    ListItemOut,
    ListStatusIn,
)
from .common import ERRORS, membership_out, org_for, ref, region_by_code, router, viewer


def federation_out(f: Federation) -> dict[str, Any]:
    return {
        "id": f.pk,
        "name": f.name,
        "street_code": f.street_code,
        "street_name": f.street.name,
        "hub_id": f.hub_id,
        "organization": ref(f.organization),
        "established_on": f.established_on,
        "dissolved_on": f.dissolved_on,
        "chair": f.chair.name if f.chair else "",
        "chair_title": f.chair_title,
        "chaired_by_street_head": f.chaired_by_street_head,
    }


def external_out(m: FederationExternalMember) -> dict[str, Any]:
    return {
        "id": m.pk,
        "federation_id": m.federation_id,
        "name": m.name,
        "kind": m.kind,
        "credit_code": m.credit_code,
        "contact": m.contact,
        "joined_on": m.joined_on,
        "left_on": m.left_on,
    }


def federation_detail_out(f: Federation) -> dict[str, Any]:
    return {
        **federation_out(f),
        "members": [membership_out(m) for m in selectors.hub_members(f.hub)[:500]],
        "external_members": [external_out(m) for m in f.external_members.all()],
    }


@router.get(
    "/federations",
    response={200: Page[FederationOut], **ERRORS},
    operation_id="hubs_federations_list",
)
def federation_list(request: HttpRequest, page: Query[PageParams], region: str = "") -> Any:
    qs = selectors.federation_visible_to(viewer(request))
    if region.strip():
        qs = qs.filter(street_code__startswith=region.strip().rstrip("0"))
    return paginate(request, qs, page, render=federation_out)


@router.post(
    "/federations",
    response={201: FederationDetailOut, **ERRORS},
    operation_id="hubs_federations_create",
)
def federation_create(request: HttpRequest, payload: FederationIn) -> Any:
    """Set up the street's federation (one per street) and record its chair."""
    user = api_user(request)
    street = region_by_code(payload.street_code, "street_code", level=Level.TOWNSHIP)
    fed = services.federation_create(
        actor=user,
        street=street,
        organization=org_for(user, payload.organization_id),
        data=services.FederationInput(
            established_on=payload.established_on,
            decision_number=payload.decision_number,
            chair_name=payload.chair_name,
            chair_title=payload.chair_title,
            chaired_by_street_head=payload.chaired_by_street_head,
        ),
    )
    return Status(201, federation_detail_out(selectors.federation_get_for(user, fed.pk)))


@router.get(
    "/federations/{int:federation_id}",
    response={200: FederationDetailOut, **ERRORS},
    operation_id="hubs_federations_detail",
)
def federation_detail(request: HttpRequest, federation_id: int) -> Any:
    """The federation with its chair, its member organisations and its unit members."""
    return federation_detail_out(selectors.federation_get_for(api_user(request), federation_id))


@router.post(
    "/federations/{int:federation_id}/chair",
    response={200: FederationOut, **ERRORS},
    operation_id="hubs_federations_set_chair",
)
def federation_set_chair(request: HttpRequest, federation_id: int, payload: ChairIn) -> Any:
    user = api_user(request)
    services.federation_set_chair(
        actor=user,
        federation=selectors.federation_get_for(user, federation_id),
        chair_name=payload.chair_name,
        chair_title=payload.chair_title,
        chaired_by_street_head=payload.chaired_by_street_head,
    )
    return federation_out(selectors.federation_get_for(user, federation_id))


@router.post(
    "/federations/{int:federation_id}/external-members",
    response={201: ExternalMemberOut, **ERRORS},
    operation_id="hubs_federations_external_add",
)
def external_member_add(request: HttpRequest, federation_id: int, payload: ExternalMemberIn) -> Any:
    """An enterprise or public institution joins the federation as a unit member."""
    user = api_user(request)
    member = services.federation_external_member_add(
        actor=user,
        federation=selectors.federation_get_for(user, federation_id),
        name=payload.name,
        kind=payload.kind,
        joined_on=payload.joined_on,
        credit_code=payload.credit_code,
        contact=payload.contact,
    )
    return Status(201, external_out(member))


@router.post(
    "/federation-members/{int:member_id}/leave",
    response={200: ExternalMemberOut, **ERRORS},
    operation_id="hubs_federations_external_leave",
)
def external_member_leave(request: HttpRequest, member_id: int, payload: ExternalLeaveIn) -> Any:
    user = api_user(request)
    member = services.federation_external_member_leave(
        actor=user,
        member=selectors.external_member_get_for(user, member_id),
        left_on=payload.left_on,
    )
    return external_out(member)


# --- the streets' three lists --------------------------------------------------------------


def list_item_out(kind: str) -> Any:
    def render(item: StreetListItem) -> dict[str, Any]:
        return {
            "id": item.pk,
            "list_kind": kind,
            "street_code": item.street_code,
            "federation_id": item.federation_id,
            "title": item.title,
            "description": item.description,
            "category": item.category,
            "status": item.status,
            "created_at": item.created_at,
        }

    return render


@router.get(
    "/streets/{code}/lists/{kind}",
    response={200: Page[ListItemOut], **ERRORS},
    operation_id="hubs_street_lists_list",
)
def street_list(
    request: HttpRequest, code: str, kind: str, page: Query[PageParams], status: str = ""
) -> Any:
    """A street's needs, resources or services list (kind: needs / resources / services)."""
    street = selectors.street_get_for(api_user(request), code)
    qs = selectors.street_list_items(kind, street.code)
    if status:
        qs = qs.filter(status=status)
    return paginate(request, qs, page, render=list_item_out(kind))


@router.post(
    "/streets/{code}/lists/{kind}",
    response={201: ListItemOut, **ERRORS},
    operation_id="hubs_street_lists_add",
)
def street_list_add(request: HttpRequest, code: str, kind: str, payload: ListItemIn) -> Any:
    user = api_user(request)
    street = selectors.street_get_for(user, code)
    selectors.street_list_items(kind, street.code)  # 404 for an unknown list
    item = services.street_list_item_create(
        actor=user,
        list_kind=kind,
        street=street,
        title=payload.title,
        description=payload.description,
        category=payload.category,
    )
    return Status(201, list_item_out(kind)(item))


@router.post(
    "/streets/{code}/lists/{kind}/{int:item_id}/status",
    response={200: ListItemOut, **ERRORS},
    operation_id="hubs_street_lists_set_status",
)
def street_list_status(
    request: HttpRequest, code: str, kind: str, item_id: int, payload: ListStatusIn
) -> Any:
    user = api_user(request)
    street = selectors.street_get_for(user, code)
    item = selectors.street_list_item_get(kind, street.code, item_id)
    item = services.street_list_item_set_status(actor=user, item=item, status=payload.status)
    return list_item_out(kind)(item)
