"""Rule 25: N consecutive report years without an annual report → a revocation case (拟立案)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import BUREAU_ROLES
from npohub.core.permissions import require
from npohub.notifications.services import notify
from npohub.orgs.models import CLOSED_STATUSES, Organization

from ..models import PenaltyCase, Sanction
from ..permissions import can_manage_campaign
from ..policy import policy_for
from ..workflows import CASE_FINAL, LEGAL_BASES, PS
from .cases import _create_case
from .common import _region_users, _user


def last_due_report_year(on: dt.date, policy: dict[str, Any]) -> int:
    """The latest report year whose deadline (31 May of the next year) has passed on ``on``."""
    month, day = policy["annual_report_due"]
    return on.year - 1 if on > dt.date(on.year, month, day) else on.year - 2


def _revocation_kind(case: PenaltyCase) -> str:
    return "certificate_revocation" if case.basis_key == "charity" else "revocation"


@transaction.atomic
def case_propose_missing_reports(
    *, actor: Any, on: dt.date | None = None, region_prefix: str = ""
) -> list[PenaltyCase]:
    """Propose (拟立案) a revocation case for each open registered organisation that filed no
    annual report for N consecutive due years (N per place: policy
    ``revocation_missing_report_years``). Idempotent: an organisation already proposed for the
    same years, or with an open revocation case, gets no second one."""
    from npohub.supervision.selectors import deadlines_for, is_due, report_years_filed

    if _user(actor) is not None:
        region_prefix = region_prefix or ("" if actor.is_superuser else actor.scope_prefix)
        require(can_manage_campaign(actor, region_prefix))
    on = on or timezone.localdate()
    orgs = list(
        Organization.objects.registered()
        .exclude(status__in=CLOSED_STATUSES)
        .filter(address_code__startswith=region_prefix)
        .select_related("authority_region")
    )
    windows: dict[int, list[int]] = {}
    for org in orgs:
        # The annual-report calendar (rules 21-22) is supervision's: the latest year whose
        # bureau deadline for this organisation's kind has passed, and whether it was due.
        last = on.year - 1 if on > deadlines_for(org, on.year - 1).bureau else on.year - 2
        n = int(policy_for(org.address_code)["revocation_missing_report_years"])
        windows[org.pk] = list(range(last - n + 1, last + 1))
    all_years = {y for years in windows.values() for y in years}
    filed = report_years_filed([o.pk for o in orgs], sorted(all_years))
    open_revocations = set(
        Sanction.objects.filter(kind__in=("revocation", "certificate_revocation"))
        .exclude(case__state__in=CASE_FINAL)
        .values_list("case__organization_id", flat=True)
    )
    proposed: dict[tuple[int, str], PenaltyCase] = {}
    for case in PenaltyCase.objects.filter(
        source_ref__startswith="missing-reports:",
        organization__address_code__startswith=region_prefix,
    ):  # newest first: the one ``.first()`` would give
        proposed.setdefault((case.organization_id, case.source_ref), case)
    result: list[PenaltyCase] = []
    for org in orgs:
        years = windows[org.pk]
        if not all(is_due(org, y) for y in years) or filed.get(org.pk, set()) & set(years):
            continue
        ref = f"missing-reports:{years[0]}-{years[-1]}"
        existing = proposed.get((org.pk, ref))
        if existing is not None:
            result.append(existing)
            continue
        if org.pk in open_revocations:
            continue
        result.append(_propose_revocation(org=org, years=years, ref=ref, actor=actor, on=on))
    return result


def _propose_revocation(
    *, org: Organization, years: list[int], ref: str, actor: Any, on: dt.date
) -> PenaltyCase:
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    case = _create_case(
        actor=actor,
        organization=org,
        title=_("连续 %(n)s 年未报送年度工作报告（%(span)s）") % {"n": len(years), "span": span},
        facts=_("截至 %(on)s，%(span)s 年度的年度工作报告均未报送登记管理机关。")
        % {"on": on.isoformat(), "span": span},
        state=PS.PROPOSED,
        source="missing_reports",
        source_ref=ref,
        today=on,
    )
    kind = _revocation_kind(case)
    Sanction.objects.create(
        case=case,
        kind=kind,
        legal_basis=str(LEGAL_BASES[case.basis_key].label),
        note=_("拟撤销登记（规则 25）"),
    )
    notify(
        recipients=_region_users(org.address_code, BUREAU_ROLES),
        kind="enforcement.case_proposed",
        title=_("拟立案：%(name)s %(title)s") % {"name": org.name, "title": case.title},
        url=reverse("enforcement:case-detail", args=[case.pk]),
    )
    return case


def missing_reports_detector(on: dt.date, actor: Any) -> int:
    """The credit engine's daily run calls this (``credit.registry``): proposals made or found."""
    return len(case_propose_missing_reports(actor=None, on=on))
