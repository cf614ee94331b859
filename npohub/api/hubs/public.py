"""/api/v1/public/hubs/: what the portal publishes about hubs, no sign-in.

The bureau's recognitions are public decisions (name, kind, scope, decision number, validity),
and so are the federation coverage figures; rosters, notices and reviews are not.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from npohub.core.errors import NotFound
from npohub.hubs.models import Hub, HubKind

from ..pagination import Page, PageParams, paginate
from .endpoints import coverage_figures
from .schemas import CoverageOut, ErrorOut, PublicHubOut

router = Router(auth=None, tags=["public"])


def public_hub_out(hub: Hub) -> dict[str, Any]:
    return {
        "id": hub.pk,
        "name": hub.name,
        "kind": hub.kind,
        "kind_label": str(HubKind(hub.kind).label),
        "region_name": hub.region.name if hub.region_id else "",  # type: ignore[union-attr]
        "scope_note": hub.scope_note,
        "decision_number": hub.decision_number,
        "decision_date": hub.decision_date,
        "valid_from": hub.valid_from,
        "valid_until": hub.valid_until,
        "member_count": getattr(hub, "member_count", 0),
    }


@router.get("/hubs", response={200: Page[PublicHubOut]}, operation_id="public_hubs_list")
def public_hubs(
    request: HttpRequest, page: Query[PageParams], kind: str = "", region: str = ""
) -> dict[str, Any]:
    """Hubs recognised and in force today, by kind and region."""
    qs = (
        Hub.objects.current(timezone.localdate())
        .select_related("region")
        .annotate(member_count=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
        .order_by("kind", "scope_prefix", "name", "id")
    )
    if kind:
        qs = qs.filter(kind=kind)
    if region.strip():
        qs = qs.filter(scope_prefix__startswith=region.strip().rstrip("0"))
    return paginate(request, qs, page, render=public_hub_out)


@router.get(
    "/coverage",
    response={200: CoverageOut, 404: ErrorOut},
    operation_id="public_hubs_coverage",
)
def public_coverage(request: HttpRequest, region: str = "3701") -> dict[str, Any]:
    """Federation and platform coverage of a region (city, district or street code)."""
    code = region.strip()
    if not code.isdigit() or len(code) > 12 or len(code.rstrip("0")) < 2:
        raise NotFound(_("区划不存在"))
    from npohub.regions.models import Region

    area = Region.objects.active().filter(code=code.ljust(12, "0")).first()
    if area is None:
        raise NotFound(_("区划不存在"))
    return coverage_figures(area.prefix)
