"""``{% credit_public_status org %}``: the organisation's public credit status (rule 35)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from npohub.credit.models import Listing

register = template.Library()


@register.inclusion_tag("credit/partials/public_status.html")
def credit_public_status(org: Any) -> dict[str, Any]:
    listings = list(
        Listing.objects.filter(organization=org)
        .select_related("rule")
        .order_by("-listed_on", "-id")
    )
    return {
        "current": [item for item in listings if item.removed_on is None],
        "removed": [item for item in listings if item.removed_on is not None],
        "today": timezone.localdate(),
    }
