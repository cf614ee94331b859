"""What every part of grade assessment shares: the purpose name, the rated kinds, errors."""

from __future__ import annotations

from npohub.core.errors import Conflict, DomainError
from npohub.orgs.models import Kind

PURPOSE = "rating"
RATED_KINDS = (Kind.ASSOCIATION, Kind.SOCIAL_SERVICE, Kind.FOUNDATION)


class RatingError(DomainError):
    code = "ratings.error"


class ExpertConflict(Conflict):
    """An expert with a conflict of interest can never sit on that organisation's panel."""

    code = "ratings.expert_conflict"
