"""Coverage figures (the same as the coverage page): federations, platforms, hubs per kind."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from npohub.core.errors import NotFound
from npohub.hubs import selectors
from npohub.hubs.models import (
    HubKind,
)
from npohub.regions.models import Region

from ..schemas import (
    CoverageOut,
)
from .common import ERRORS, router, viewer


def coverage_figures(prefix: str) -> dict[str, Any]:
    """Federation coverage (drill-down one level below ``prefix``), platform coverage per level
    and recognised hubs per kind: the same figures as the coverage page."""
    feds = selectors.federation_coverage(prefix, group_level=selectors.coverage_group_level(prefix))

    def fed_row(row: selectors.FederationCoverage) -> dict[str, Any]:
        return {
            "code": row.code,
            "name": row.name,
            "streets": row.streets,
            "with_federation": row.with_federation,
            "chaired_by_head": row.chaired_by_head,
            "coverage": str(row.coverage),
            "head_chair_share": str(row.head_chair_share),
        }

    area = Region.objects.active().filter(code=prefix.ljust(12, "0")).first() if prefix else None
    counts = selectors.hub_counts_by_kind(prefix)
    return {
        "region_code": prefix.ljust(12, "0") if prefix else "",
        "region_name": area.name if area else "",
        "federations": [fed_row(r) for r in feds["rows"]],
        "federation_total": fed_row(feds["total"]),
        "platforms": [
            {
                "level": str(c.level),
                "label": c.label,
                "regions": c.regions,
                "covered": c.covered,
                "platforms": c.platforms,
                "coverage": str(c.coverage),
            }
            for c in selectors.platform_coverage(prefix)
        ],
        "hubs_by_kind": {kind: counts.get(kind, 0) for kind in HubKind.values},
    }


@router.get("/coverage", response={200: CoverageOut, **ERRORS}, operation_id="hubs_coverage")
def coverage(request: HttpRequest, region: str = "") -> Any:
    """Coverage figures for the caller's region or a region inside it (city → district →
    street): streets with a federation, the share chaired by the street head, platforms."""
    user = viewer(request)
    prefix = selectors.coverage_prefix_for(user, region)
    if prefix is None:
        raise NotFound(_("区划不存在"))
    return coverage_figures(prefix)
