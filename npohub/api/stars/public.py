"""/api/v1/public/stars/: published star ratings and awards, open to everyone."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from npohub.stars import selectors
from npohub.stars.models import AwardRound, Nomination, StarAssessment

from ..pagination import Page, PageParams, paginate
from .endpoints import round_out
from .schemas import ErrorOut, PublicAwardRoundOut, PublicRatingOut, RatingFilterIn

router = Router(auth=None, tags=["public"])


def public_rating_out(item: StarAssessment) -> dict[str, Any]:
    return {
        "organization_id": item.organization_id,
        "organization_name": item.organization.name,
        "uscc": item.organization.uscc,
        "year": item.year,
        "stars": item.stars,
        "rank": getattr(item, "rank", None),
        "published_on": item.published_on,
    }


def public_round_out(item: AwardRound, winners: list[Nomination]) -> dict[str, Any]:
    rows = [
        {
            "organization_id": n.organization_id,
            "organization_name": n.organization.name,
            "rank": n.rank,
            "vote_count": n.vote_count,
        }
        for n in winners
    ]
    return {**round_out(item), "winners_list": rows}


@router.get(
    "/ratings", response={200: Page[PublicRatingOut]}, operation_id="public_stars_ratings_list"
)
def public_ratings(
    request: HttpRequest, filters: Query[RatingFilterIn], page: Query[PageParams]
) -> dict[str, Any]:
    """The year's published star ratings, ranked, optionally inside a region."""
    region = filters.region.rstrip("0") if len(filters.region) == 12 else filters.region
    return paginate(
        request,
        selectors.public_star_list(filters.year, region_prefix=region),
        page,
        render=public_rating_out,
    )


@router.get(
    "/awards", response={200: Page[PublicAwardRoundOut]}, operation_id="public_stars_awards_list"
)
def public_awards(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    """Finished award rounds with their winners."""
    data = paginate(request, selectors.public_award_rounds(), page)
    winners = selectors.winners_by_round(data["results"])
    data["results"] = [public_round_out(r, winners[r.pk]) for r in data["results"]]
    return data


@router.get(
    "/awards/{int:round_id}",
    response={200: PublicAwardRoundOut, 404: ErrorOut},
    operation_id="public_stars_awards_detail",
)
def public_award(request: HttpRequest, round_id: int) -> dict[str, Any]:
    item = selectors.public_award_round_get(round_id)
    return public_round_out(item, list(selectors.award_winners(item)))
