"""Service platforms (visits, honours) and pairings (结对共建)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Status

from npohub.hubs import selectors, services
from npohub.hubs.models import (
    Pairing,
    ServicePlatform,
)

from ...pagination import Page, PageParams, paginate
from ...request import api_user
from ..schemas import (
    HonourIn,
    HonourOut,
    PairingCloseIn,
    PairingIn,
    PairingOut,
    PlatformDetailOut,
    PlatformIn,
    PlatformOut,
    VisitIn,
    VisitOut,
)
from .common import ERRORS, org_for, ref, region_by_code, router, viewer


def platform_out(p: ServicePlatform) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "level": p.level,
        "region_code": p.region_code,
        "region_name": p.region.name,
        "operator_id": p.operator_id,
        "operator_name": p.operator.name,
        "offerings": [o.code for o in p.offerings.all()],
        "address": p.address,
        "area_sqm": p.area_sqm,
        "opened_on": p.opened_on,
        "closed_on": p.closed_on,
        "incubated_count": p.incubated_count,
        "project_count": p.project_count,
    }


def visit_out(v: Any) -> dict[str, Any]:
    return {
        "id": v.pk,
        "visited_on": v.visited_on,
        "visitor": v.visitor,
        "headcount": v.headcount,
        "purpose": v.purpose,
    }


def honour_out(h: Any) -> dict[str, Any]:
    return {"id": h.pk, "title": h.title, "awarded_by": h.awarded_by, "awarded_on": h.awarded_on}


def platform_detail_out(p: ServicePlatform) -> dict[str, Any]:
    return {
        **platform_out(p),
        "visits": [visit_out(v) for v in p.visits.all()[:100]],
        "honours": [honour_out(h) for h in p.honours.all()[:100]],
    }


@router.get(
    "/platforms", response={200: Page[PlatformOut], **ERRORS}, operation_id="hubs_platforms_list"
)
def platform_list(request: HttpRequest, page: Query[PageParams], level: str = "") -> Any:
    qs = selectors.platform_visible_to(viewer(request))
    if level:
        qs = qs.filter(level=level)
    return paginate(request, qs, page, render=platform_out)


@router.post(
    "/platforms", response={201: PlatformDetailOut, **ERRORS}, operation_id="hubs_platforms_create"
)
def platform_create(request: HttpRequest, payload: PlatformIn) -> Any:
    """The bureau opens a service platform run by a hub, at city, district or street level."""
    user = api_user(request)
    operator = selectors.hub_get_for(user, payload.operator_id)
    platform = services.platform_create(
        actor=user,
        data=services.PlatformInput(
            name=payload.name,
            level=payload.level,
            region=region_by_code(payload.region_code, "region_code"),
            operator=operator,
            opened_on=payload.opened_on,
            offerings=payload.offerings,
            address=payload.address,
            area_sqm=payload.area_sqm,
        ),
    )
    return Status(201, platform_detail_out(selectors.platform_get_for(user, platform.pk)))


@router.get(
    "/platforms/{int:platform_id}",
    response={200: PlatformDetailOut, **ERRORS},
    operation_id="hubs_platforms_detail",
)
def platform_detail(request: HttpRequest, platform_id: int) -> Any:
    return platform_detail_out(selectors.platform_get_for(api_user(request), platform_id))


@router.post(
    "/platforms/{int:platform_id}/visits",
    response={201: VisitOut, **ERRORS},
    operation_id="hubs_platforms_visit",
)
def platform_visit(request: HttpRequest, platform_id: int, payload: VisitIn) -> Any:
    user = api_user(request)
    visit = services.platform_record_visit(
        actor=user,
        platform=selectors.platform_get_for(user, platform_id),
        visited_on=payload.visited_on,
        visitor=payload.visitor,
        headcount=payload.headcount,
        purpose=payload.purpose,
    )
    return Status(201, visit_out(visit))


@router.post(
    "/platforms/{int:platform_id}/honours",
    response={201: HonourOut, **ERRORS},
    operation_id="hubs_platforms_honour",
)
def platform_honour(request: HttpRequest, platform_id: int, payload: HonourIn) -> Any:
    user = api_user(request)
    honour = services.platform_record_honour(
        actor=user,
        platform=selectors.platform_get_for(user, platform_id),
        title=payload.title,
        awarded_by=payload.awarded_by,
        awarded_on=payload.awarded_on,
    )
    return Status(201, honour_out(honour))


# --- pairings ------------------------------------------------------------------------------


def pairing_out(p: Pairing) -> dict[str, Any]:
    return {
        "id": p.pk,
        "senior": ref(p.senior),
        "community_group": ref(p.community_group),
        "topic": p.topic,
        "started_on": p.started_on,
        "ended_on": p.ended_on,
        "outcome": p.outcome,
    }


@router.get(
    "/pairings", response={200: Page[PairingOut], **ERRORS}, operation_id="hubs_pairings_list"
)
def pairing_list(request: HttpRequest, page: Query[PageParams], open_only: bool = False) -> Any:
    qs = selectors.pairing_visible_to(viewer(request))
    if open_only:
        qs = qs.filter(ended_on__isnull=True)
    return paginate(request, qs, page, render=pairing_out)


@router.post("/pairings", response={201: PairingOut, **ERRORS}, operation_id="hubs_pairings_create")
def pairing_create(request: HttpRequest, payload: PairingIn) -> Any:
    """Pair a city/district organisation with a community group (结对共建)."""
    user = api_user(request)
    pairing = services.pairing_create(
        actor=user,
        senior=org_for(user, payload.senior_id),
        community_group=org_for(user, payload.community_group_id),
        topic=payload.topic,
        started_on=payload.started_on,
    )
    return Status(201, pairing_out(pairing))


@router.post(
    "/pairings/{int:pairing_id}/close",
    response={200: PairingOut, **ERRORS},
    operation_id="hubs_pairings_close",
)
def pairing_close(request: HttpRequest, pairing_id: int, payload: PairingCloseIn) -> Any:
    user = api_user(request)
    pairing = services.pairing_close(
        actor=user,
        pairing=selectors.pairing_get_for(user, pairing_id),
        ended_on=payload.ended_on,
        outcome=payload.outcome,
    )
    return pairing_out(pairing)
