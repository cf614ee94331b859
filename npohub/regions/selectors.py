"""Reads of the division hierarchy. Region data is reference data: any signed-in user sees it."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext as _

from npohub.core.errors import NotFound

from .codes import ancestors, is_valid, pad
from .models import Region

SEARCH_LIMIT = 50


def _clean_code(code: str) -> str:
    if not is_valid(code):
        raise NotFound(_("区划不存在"), details={"code": code})
    return pad(code)


def region_children(parent_code: str | None) -> QuerySet[Region]:
    """Active units directly under ``parent_code``; the provinces when it is empty."""
    regions = Region.objects.active().order_by("code")
    if not parent_code:
        return regions.filter(parent__isnull=True)
    return regions.filter(parent__code=_clean_code(parent_code), parent__is_active=True)


def region_search(name: str, *, within: str = "") -> QuerySet[Region]:
    """Active units whose name contains ``name`` inside the subtree ``within`` (a code prefix).

    Exact matches first, then higher levels before lower ones, then code order.
    """
    name = name.strip()
    if not name:
        return Region.objects.none()
    exact = Case(When(name=name, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        Region.objects.active()
        .within(within)
        .filter(name__contains=name)
        .select_related("parent")
        .order_by(exact, "level", "code")
    )


def region_get(code: str) -> Region:
    """The active unit with this code, else the latest unit that held it (records may point
    at a unit that has since been abolished); :class:`NotFound` when no unit ever had it."""
    full = _clean_code(code)
    region = (
        Region.objects.filter(code=full)
        .select_related("parent")
        .order_by("-is_active", "-last_year", "-id")
        .first()
    )
    if region is None:
        raise NotFound(_("区划不存在"), details={"code": code})
    return region


def region_path(code: str) -> list[Region]:
    """The unit and every unit above it, top first (for breadcrumbs)."""
    codes = [c for _, c in ancestors(_clean_code(code))]
    best: dict[str, Region] = {}
    for region in Region.objects.filter(code__in=codes).order_by("is_active", "last_year", "id"):
        best[region.code] = region  # later rows win: active, then the most recent
    return [best[c] for c in codes if c in best]


def region_prefix_of(code: str) -> str:
    """The code prefix of a stored unit's subtree (for ``within`` filters)."""
    return region_get(code).prefix
