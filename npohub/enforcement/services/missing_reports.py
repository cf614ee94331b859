"""Rule 25: N consecutive report years without an annual report → a revocation case (拟立案).

A year counts as missing only when the platform could have held its report: not before the
platform's first report year (supervision's ``first_report_year``: the policy's value, else the
earliest annual-report year held at all) and not a year the organisation did not have to report
for (registered later, or exempt under rule 22: supervision's ``is_due``). A proposal the
detector made for years that turn out not to be missing years is withdrawn by the next run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.permissions import require
from npohub.core.workflows import run_move
from npohub.notifications.services import notify
from npohub.orgs.models import CLOSED_STATUSES, Organization
from npohub.orgs.scope import region_users, scope_of

from ..models import PenaltyCase, Sanction
from ..permissions import can_manage_campaign
from ..policy import policy_for
from ..workflows import CASE_FINAL, LEGAL_BASES, PS
from .cases import CASE_WORKFLOW, _create_case
from .common import _user

REF_PREFIX = "missing-reports:"


def last_due_report_year(on: dt.date, policy: dict[str, Any]) -> int:
    """The latest report year whose deadline (31 May of the next year) has passed on ``on``."""
    month, day = policy["annual_report_due"]
    return on.year - 1 if on > dt.date(on.year, month, day) else on.year - 2


def _revocation_kind(case: PenaltyCase) -> str:
    return "certificate_revocation" if case.basis_key == "charity" else "revocation"


def first_report_years() -> Callable[[Organization], int | None]:
    """The platform's first report year for an organisation (None: no report held at all).

    Supervision's policy may set it per province; otherwise it is the earliest report year
    held, read once however many organisations are asked about."""
    from npohub.supervision.selectors import first_report_year

    known: dict[str, int | None] = {}

    def first(org: Organization) -> int | None:
        province = org.address_code[:2]
        if province not in known:
            known[province] = first_report_year(org.address_code)
        return known[province]

    return first


def _span(years: list[int]) -> str:
    return f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])


def _not_missing_reason(org: Organization, years: list[int], first: int | None) -> str:
    """Why some of ``years`` cannot be missing years for ``org`` ("" when all can be)."""
    from npohub.supervision.selectors import is_due

    if first is None:
        return _("平台尚未保存任何年度报告，不能认定未报送")
    if years[0] < first:
        return _("平台自 %(first)s 年度起才有年度报告数据，%(span)s 年度不能全部认定为未报送") % {
            "first": first,
            "span": _span(years),
        }
    if not all(is_due(org, y) for y in years):
        return _("%(span)s 年度中有该组织登记前或依规定免于报送的年度，不能认定为连续未报送") % {
            "span": _span(years)
        }
    return ""


def _years_of(ref: str) -> list[int]:
    """The report years a proposal names ("missing-reports:2022-2024" → 2022, 2023, 2024)."""
    try:
        start, end = (int(part) for part in ref.removeprefix(REF_PREFIX).split("-"))
    except ValueError:
        return []
    return list(range(start, end + 1))


@transaction.atomic
def case_propose_missing_reports(
    *, actor: User | None, on: dt.date | None = None, region_prefix: str = ""
) -> list[PenaltyCase]:
    """Propose (拟立案) a revocation case for each open registered organisation that filed no
    annual report for N consecutive due years (N per place: policy
    ``revocation_missing_report_years``), every one of them a year the platform holds reports
    for. Idempotent: an organisation already proposed for the same years, or with an open
    revocation case, gets no second one. A proposal still awaiting filing whose years are not
    all missing years (see the module) is withdrawn by the system."""
    from npohub.supervision.selectors import deadlines_for, report_years_filed

    if _user(actor) is not None:
        scope = scope_of(actor)  # a bureau's own region by default ("" = all: the superuser)
        own = scope.bureau_prefix if scope.bureau_prefix is not None else scope.prefix
        region_prefix = region_prefix or own
        require(can_manage_campaign(actor, region_prefix))
    on = on or timezone.localdate()
    orgs = list(
        Organization.objects.registered()
        .exclude(status__in=CLOSED_STATUSES)
        .filter(address_code__startswith=region_prefix)
        .select_related("authority_region")
    )
    first_year = first_report_years()
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
        source_ref__startswith=REF_PREFIX,
        organization__address_code__startswith=region_prefix,
    ):  # newest first: the one ``.first()`` would give
        proposed.setdefault((case.organization_id, case.source_ref), case)
    by_id = {org.pk: org for org in orgs}
    withdrawn = _withdraw_unfounded(proposed.values(), by_id, first_year, on)
    result: list[PenaltyCase] = []
    for org in orgs:
        years = windows[org.pk]
        if _not_missing_reason(org, years, first_year(org)) or filed.get(org.pk, set()) & set(
            years
        ):
            continue
        ref = f"{REF_PREFIX}{years[0]}-{years[-1]}"
        existing = proposed.get((org.pk, ref))
        if existing is not None:
            if existing.pk not in withdrawn:
                result.append(existing)
            continue
        if org.pk in open_revocations:
            continue
        result.append(_propose_revocation(org=org, years=years, ref=ref, actor=actor, on=on))
    return result


def _withdraw_unfounded(
    cases: Iterable[PenaltyCase],
    orgs: dict[int, Organization],
    first_year: Callable[[Organization], int | None],
    on: dt.date,
) -> set[int]:
    """Withdraw (a system move) the proposals not yet filed whose years are not all missing
    years; returns their ids."""
    withdrawn: set[int] = set()
    for case in cases:
        org = orgs.get(case.organization_id)
        years = _years_of(case.source_ref)
        if case.state != PS.PROPOSED or org is None or not years:
            continue
        reason = _not_missing_reason(org, years, first_year(org))
        if reason:
            run_move(
                CASE_WORKFLOW,
                case,
                "withdraw",
                actor=None,
                note=_("%(reason)s，撤回拟立案。") % {"reason": reason},
                today=on,
            )
            withdrawn.add(case.pk)
    return withdrawn


def _propose_revocation(
    *, org: Organization, years: list[int], ref: str, actor: User | None, on: dt.date
) -> PenaltyCase:
    span = _span(years)
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
        recipients=region_users(org.address_code),
        kind="enforcement.case_proposed",
        title=_("拟立案：%(name)s %(title)s") % {"name": org.name, "title": case.title},
        url=reverse("enforcement:case-detail", args=[case.pk]),
    )
    return case


def missing_reports_detector(on: dt.date, actor: User | None) -> int:
    """The credit engine's daily run calls this (``credit.registry``): proposals made or found."""
    return len(case_propose_missing_reports(actor=None, on=on))
