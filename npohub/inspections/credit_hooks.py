"""What the credit engine learns from spot checks (rule 29: rectification not done on time).

``detect_overdue_rectifications`` is registered as the credit detector
``rectification_overdue`` (``apps.InspectionsConfig.ready``): for the date ``on`` it records one
credit fact per rectification order whose deadline passed before ``on`` without the
organisation rectifying (source_ref ``inspection_rectification:<order pk>``; recording twice
is one fact). Verifying the rectification resolves that fact.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.templatetags.npohub import cn_date
from npohub.credit.models import CreditFact
from npohub.credit.services import credit_fact_record, credit_fact_resolve

from .models import RectificationOrder

FACT_KIND = "rectification_overdue"
SOURCE = "inspections"
LEGAL_BASIS = (
    "《社会组织信用信息管理办法》（民政部令第60号）；《社会组织抽查暂行办法》（民发〔2017〕45号）"
)


REF_PREFIX = "inspection_rectification:"


def source_ref(order: RectificationOrder) -> str:
    return f"{REF_PREFIX}{order.pk}"


def overdue_orders(on: dt.date) -> Any:
    """Orders whose deadline passed before ``on`` unrectified (or rectified only after it) and
    not verified."""
    return (
        RectificationOrder.objects.filter(deadline__lt=on, verified_on__isnull=True)
        .filter(Q(rectified_on__isnull=True) | Q(rectified_on__gt=F("deadline")))
        .select_related("spot_check__organization", "spot_check__plan")
        .order_by("pk")
    )


def detect_overdue_rectifications(on: dt.date, actor: User | None = None) -> int:
    """Record a credit fact for every overdue rectification order (idempotent)."""
    today = timezone.localdate()
    limit = min(on, today + dt.timedelta(days=1))
    recorded = set(
        CreditFact.objects.filter(kind=FACT_KIND, source_ref__startswith=REF_PREFIX).values_list(
            "source_ref", flat=True
        )
    )
    count = 0
    for order in overdue_orders(limit):
        count += 1
        if source_ref(order) in recorded:
            continue
        check = order.spot_check
        credit_fact_record(
            actor=actor,
            organization=check.organization,
            kind=FACT_KIND,
            arose_on=order.deadline + dt.timedelta(days=1),
            source=SOURCE,
            source_ref=source_ref(order),
            summary=_("“%(plan)s”责令整改逾期未改（期限%(deadline)s）：%(req)s")
            % {
                "plan": check.plan.title,
                "deadline": order.deadline.isoformat(),
                "req": order.requirement[:200],
            },
            legal_basis=LEGAL_BASIS,
            evidence={"order": order.pk, "check": check.pk, "plan": check.plan_id},
        )
    return count


def resolve_overdue(*, order: RectificationOrder, actor: User, on: dt.date) -> None:
    """The rectification was verified: resolve the overdue fact, if one was recorded."""
    fact = CreditFact.objects.filter(kind=FACT_KIND, source_ref=source_ref(order)).first()
    if fact is None or fact.resolved_on is not None:
        return
    credit_fact_resolve(
        actor=actor,
        fact=fact,
        on=max(on, fact.arose_on),
        note=_("整改已于%(d)s核查到位") % {"d": cn_date(on)},
    )
