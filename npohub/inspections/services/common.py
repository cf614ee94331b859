"""What the spot-check services share: strata and their labels, the plan lock, the draw log."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Max
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.regions.models import Level

from ..models import AuthorityLevel, DrawLog, SpotCheckPlan

# Stratum kinds a plan may give a ratio, in stratum order; "charity" draws charities apart.
STRATUM_KINDS = ("association", "social_service", "foundation", "charity")
STRATUM_LABELS = {
    "association": _("社会团体"),
    "social_service": _("社会服务机构"),
    "foundation": _("基金会"),
    "charity": _("慈善组织"),
}
LEVEL_OF_REGION = {
    Level.PROVINCE: AuthorityLevel.PROVINCE,
    Level.CITY: AuthorityLevel.CITY,
    Level.COUNTY: AuthorityLevel.COUNTY,
}


def stratum_label(kind: str) -> str:
    return str(STRATUM_LABELS.get(kind, kind))


def percent(value: Decimal) -> str:
    """0.05 → "5%", 0.125 → "12.5%"."""
    number = (Decimal(value) * 100).normalize()
    return f"{number:f}%"


def _actor_user(actor: User | None) -> User | None:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _lock(plan: SpotCheckPlan) -> SpotCheckPlan:
    return (
        SpotCheckPlan.objects.select_for_update(of=("self",))
        .select_related("authority_region", "category")
        .get(pk=plan.pk)
    )


class _Log:
    """Numbers the draw-log rows of one plan in order and writes them at once."""

    def __init__(self, plan: SpotCheckPlan) -> None:
        self.plan = plan
        last = DrawLog.objects.filter(plan=plan).aggregate(m=Max("sequence"))["m"]
        self.next = (last or 0) + 1
        self.rows: list[DrawLog] = []

    def add(self, kind: str, message: str, **extra: Any) -> DrawLog:
        row = DrawLog(plan=self.plan, sequence=self.next, kind=kind, message=message[:500], **extra)
        self.next += 1
        self.rows.append(row)
        return row

    def save(self) -> None:
        DrawLog.objects.bulk_create(self.rows)
        self.rows = []
