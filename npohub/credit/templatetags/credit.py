"""``{% credit_public_status org %}``: the organisation's public credit status (rule 35).

Per listing the public sees the list, the date, the reason and legal basis, where it came from
(escalated from the abnormal list), the objections and repair applications with their state and
dates (never the reasons or notes, which may name people), a scheduled removal, and for past
listings the removal date and reason.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Prefetch

from npohub.credit.models import CreditRequest, Listing
from npohub.credit.workflows import RS
from npohub.orgs.models import Organization

register = template.Library()


@register.inclusion_tag("credit/partials/public_status.html")
def credit_public_status(org: Organization) -> dict[str, Any]:
    listings = list(
        Listing.objects.filter(organization=org)
        .select_related("escalated_from")
        .prefetch_related(
            Prefetch(
                "requests",
                queryset=CreditRequest.objects.exclude(state=RS.WITHDRAWN).order_by(
                    "filed_on", "id"
                ),
            )
        )
        .order_by("-listed_on", "-id")
    )
    for listing in listings:
        shown: Any = listing
        shown.public_requests = [
            {
                "kind": request.get_kind_display(),
                "state": request.state_label,
                "filed_on": request.filed_on,
                "decided_on": request.decided_on,
            }
            for request in listing.requests.all()
        ]
    return {
        "current": [item for item in listings if item.removed_on is None],
        "removed": [item for item in listings if item.removed_on is not None],
    }
