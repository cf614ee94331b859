"""/api/v1/public/supervision/: what the portal publishes about annual inspections, no sign-in."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from npohub.supervision.selectors import published_conclusions

from ..pagination import Page, PageParams, paginate
from ..types import Year
from .schemas import PublicConclusionOut

router = Router(auth=None, tags=["public"])


@router.get(
    "/conclusions",
    response=Page[PublicConclusionOut],
    operation_id="public_supervision_conclusions",
)
def conclusions(
    request: HttpRequest, page: Query[PageParams], year: Year | None = None
) -> dict[str, Any]:
    """Published annual-inspection conclusions (年检结论公告), public fields only."""
    result = paginate(request, published_conclusions(year), page)
    result["results"] = [
        {
            "year": r.year,
            "organization_name": r.organization.name,
            "uscc": r.organization.uscc or "",
            "conclusion": r.conclusion,
            "conclusion_label": r.get_conclusion_display(),
            "published_on": r.published_on,
        }
        for r in result["results"]
    ]
    return result
