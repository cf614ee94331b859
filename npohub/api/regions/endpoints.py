"""/api/v1/regions/: the division hierarchy (reference data, any signed-in user may read it)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from npohub.regions.models import Region
from npohub.regions.selectors import region_children, region_get, region_path, region_search
from npohub.regions.services import region_correct_urban_rural

from ..pagination import Page, PageParams, paginate
from ..request import api_user
from .schemas import ErrorOut, RegionDetailOut, RegionFilterIn, RegionOut, UrbanRuralCorrectionIn

router = Router(tags=["regions"])

ERRORS: dict[int, Any] = dict.fromkeys((401, 403, 404, 409, 422), ErrorOut)


def _detail(region: Region) -> Region:
    region.path = region_path(region.code)  # type: ignore[attr-defined]
    return region


@router.get("/", response={200: Page[RegionOut], **ERRORS}, operation_id="regions_list")
def list_regions(
    request: HttpRequest, filters: Query[RegionFilterIn], page: Query[PageParams]
) -> dict[str, Any]:
    """Children of ``parent`` (provinces when empty), or units named like ``q`` under it."""
    parent = region_get(filters.parent) if filters.parent else None
    if filters.q.strip():
        regions = region_search(filters.q, within=parent.prefix if parent else "")
    else:
        regions = region_children(parent.code if parent else None)
    if filters.level is not None:
        regions = regions.filter(level=filters.level)
    return paginate(request, regions, page)


@router.get("/{code}", response={200: RegionDetailOut, **ERRORS}, operation_id="regions_get")
def get_region(request: HttpRequest, code: str) -> Region:
    """One unit with its path from the province down (abolished units too, flagged inactive)."""
    return _detail(region_get(code))


@router.post(
    "/{code}/urban-rural",
    response={200: RegionDetailOut, **ERRORS},
    operation_id="regions_correct_urban_rural",
)
def correct_urban_rural(request: HttpRequest, code: str, payload: UrbanRuralCorrectionIn) -> Region:
    """Bureau staff correct a community's urban/rural flag inside their region."""
    region = region_correct_urban_rural(
        actor=api_user(request), region=region_get(code), urban_rural=payload.urban_rural
    )
    return _detail(region)
