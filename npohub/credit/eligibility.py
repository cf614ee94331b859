"""Is an organisation eligible for a purpose (rating, purchase, award …) on a date?

Credit's own reasons (registry status, the two lists) plus every check other apps registered
for the purpose in ``registry.eligibility_checks``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.core.templatetags.npohub import cn_date
from npohub.orgs.models import Organization, Status

from . import registry
from .models import Listing
from .selectors import listings_as_of, open_on_q

BARRED_STATUSES = (Status.SUSPENDED, Status.REVOKED, Status.DEREGISTERED)


@dataclass
class Eligibility:
    ok: bool
    reasons: list[registry.Reason] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.ok


def _status_reason(org: Organization) -> registry.Reason | None:
    if org.status in BARRED_STATUSES:
        return registry.Reason(
            code="credit.status",
            message=_("组织状态为“%(status)s”") % {"status": org.get_status_display()},
            source="orgs",
            ref=str(org.pk),
        )
    return None


def _listing_reason(listing: Listing) -> registry.Reason:
    return registry.Reason(
        code=f"credit.{listing.credit_list}_list",
        message=_("已于%(date)s被列入%(list)s（%(rule)s）")
        % {
            "date": cn_date(listing.listed_on),
            "list": listing.get_credit_list_display(),
            "rule": listing.rule.name,
        },
        source="credit",
        ref=str(listing.pk),
    )


def is_eligible(org: Organization, purpose: str, *, on: dt.date | None = None) -> Eligibility:
    """Registered or filed, not suspended/revoked/deregistered, on no list, every check passes."""
    on = on or timezone.localdate()
    reasons: list[registry.Reason] = []
    status = _status_reason(org)
    if status is not None:
        reasons.append(status)
    reasons.extend(_listing_reason(listing) for listing in listings_as_of(org, on))
    for _name, check in registry.eligibility_checks(purpose):
        reasons.extend(check(org, purpose, on))
    return Eligibility(ok=not reasons, reasons=reasons)


def eligible_ids(
    queryset: QuerySet[Organization], purpose: str, on: dt.date | None = None
) -> set[int]:
    """Ids of the organisations in ``queryset`` eligible on ``on`` (credit part in 2 queries)."""
    on = on or timezone.localdate()
    listed = Listing.objects.filter(open_on_q(on)).values("organization_id")
    candidates = queryset.exclude(status__in=BARRED_STATUSES).exclude(pk__in=listed)
    checks = registry.eligibility_checks(purpose)
    if not checks:
        return set(candidates.values_list("pk", flat=True))
    ids: set[int] = set()
    for org in candidates:
        if not any(list(check(org, purpose, on)) for _name, check in checks):
            ids.add(org.pk)
    return ids
