"""/api/v1/public/ratings/: published grades, open to everyone."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from npohub.ratings import selectors
from npohub.ratings.models import Grade

from ..pagination import Page, PageParams, paginate
from .schemas import PublicGradeFilterIn, PublicGradeOut

router = Router(auth=None, tags=["public"])


def public_grade_out(grade: Grade) -> dict[str, Any]:
    org = grade.organization
    return {
        "organization_id": org.pk,
        "organization_name": org.name,
        "uscc": org.uscc,
        "level": grade.level,
        "awarded_on": grade.awarded_on,
        "valid_until": grade.valid_until,
        "certificate_number": grade.certificate_number,
    }


@router.get(
    "/grades", response={200: Page[PublicGradeOut]}, operation_id="public_ratings_grades_list"
)
def public_grades(
    request: HttpRequest, filters: Query[PublicGradeFilterIn], page: Query[PageParams]
) -> dict[str, Any]:
    """Grades valid today, with their validity dates, highest level first."""
    qs = selectors.public_grade_list(
        search=filters.q.strip(),
        level=filters.level,
        region_prefix=filters.region.rstrip("0"),
    )
    return paginate(request, qs, page, render=public_grade_out)
