"""Supervision's side of the credit engine (registered in ``apps.ready``): the late-report
detector (rule 24), the facts a move records or resolves (a late report reaching the bureau, a
不合格 conclusion), and the eligibility checks of PG39 art. 7.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.templatetags.npohub import cn_date
from npohub.credit.models import CreditFact
from npohub.credit.registry import Reason
from npohub.credit.services import credit_fact_record, credit_fact_resolve
from npohub.orgs.models import REGISTERED_KINDS

from .models import AnnualReport, Conclusion
from .policy import policy_for
from .selectors import (
    deadlines_for,
    first_report_year,
    is_due,
    last_judged_year,
    organizations_due,
)

LATE_KIND = "annual_report_late"
FAIL_KIND = "annual_report_noncompliant"
LATE_BASIS = (
    "《社会组织信用信息管理办法》第十条（未按照规定时限和要求向登记管理机关报送年度工作报告）"
)


def source_ref(year: int, org_id: int) -> str:
    return f"annual_report:{year}:{org_id}"


def resolve_late_fact(actor: User | None, report: AnnualReport) -> None:
    """A late report that reaches the bureau fulfils the obligation behind the late fact."""
    fact = CreditFact.objects.filter(
        kind=LATE_KIND,
        source_ref=source_ref(report.year, report.organization_id),
        resolved_on__isnull=True,
    ).first()
    if fact is not None and report.bureau_received_on is not None:
        credit_fact_resolve(
            actor=actor,
            fact=fact,
            on=max(report.bureau_received_on, fact.arose_on),
            note=str(
                _("已于%(date)s补报%(year)s年度工作报告")
                % {"date": cn_date(report.bureau_received_on), "year": report.year}
            ),
        )


def record_failed(actor: User | None, report: AnnualReport, today: dt.date) -> None:
    """Rule 24 / XY60: a report found non-compliant (不合格) is a credit fact too."""
    credit_fact_record(
        actor=actor,
        organization=report.organization,
        kind=FAIL_KIND,
        arose_on=today,
        entered_on=today,
        source="supervision",
        source_ref=f"annual_report_fail:{report.year}:{report.organization_id}",
        summary=str(
            _("%(year)s年度年检结论为不合格：%(reasons)s")
            % {"year": report.year, "reasons": report.conclusion_reasons}
        )[:500],
        legal_basis=LATE_BASIS,
        evidence={"report": report.pk, "year": report.year},
    )


def detect_late_reports(on: dt.date, actor: User | None = None) -> int:
    """Rule 24: every organisation that had to report for a year and had not reached the
    bureau by the deadline gets an ``annual_report_late`` fact arising the day after; a report
    that arrived late resolves it on the day it arrived. Idempotent."""
    first = first_report_year()
    if first is None:
        return 0
    back = int(policy_for("")["detector_years_back"])
    count = 0
    for year in range(max(first, on.year - back), on.year):
        prefix = f"annual_report:{year}:"
        facts = {
            f.source_ref: f
            for f in CreditFact.objects.filter(kind=LATE_KIND, source_ref__startswith=prefix)
        }
        received = dict(
            AnnualReport.objects.filter(year=year, bureau_received_on__isnull=False).values_list(
                "organization_id", "bureau_received_on"
            )
        )
        # Only what the deadline and the fact need: this runs daily over every organisation due.
        due = organizations_due(year).select_related(None)
        for org in due.only("id", "name", "kind", "address_code", "supervisory_unit", "is_charity"):
            deadline = deadlines_for(org, year).bureau
            if deadline >= on:
                continue
            arrived = received.get(org.pk)
            if arrived is not None and arrived <= deadline:
                continue
            ref = source_ref(year, org.pk)
            fact = facts.get(ref)
            if fact is None:
                fact = credit_fact_record(
                    actor=actor,
                    organization=org,
                    kind=LATE_KIND,
                    arose_on=deadline + dt.timedelta(days=1),
                    entered_on=on,
                    source="supervision",
                    source_ref=ref,
                    summary=str(
                        _("未在%(date)s前向登记管理机关报送%(year)s年度工作报告")
                        % {"date": cn_date(deadline), "year": year}
                    ),
                    legal_basis=LATE_BASIS,
                    evidence={"year": year, "deadline": deadline.isoformat()},
                )
            if arrived is not None and fact.resolved_on is None and arrived <= on:
                credit_fact_resolve(
                    actor=actor,
                    fact=fact,
                    on=max(arrived, fact.arose_on),
                    note=str(
                        _("已于%(date)s补报%(year)s年度工作报告")
                        % {"date": cn_date(arrived), "year": year}
                    ),
                )
            count += 1
    return count


def _judged_year(org: Any, on: dt.date) -> int | None:
    if org.kind not in REGISTERED_KINDS:
        return None  # filed community groups file no annual report
    year = last_judged_year(org, on)
    first = first_report_year(org.address_code)
    if first is None or year < first:
        return None
    return year


def check_missed_inspection(org: Any, purpose: str, on: dt.date) -> list[Reason]:
    """PG39 art. 7: did not take last year's annual inspection."""
    year = _judged_year(org, on)
    if year is None or not is_due(org, year):
        return []
    took_part = AnnualReport.objects.filter(
        organization_id=org.pk,
        year=year,
        bureau_received_on__isnull=False,
        bureau_received_on__lte=on,
    ).exists()
    if took_part:
        return []
    return [
        Reason(
            code="supervision.inspection_missed",
            message=_("未参加上一年度（%(year)s年度）年检") % {"year": year},
            source="supervision",
            ref=source_ref(year, org.pk),
        )
    ]


def check_failed_inspection(org: Any, purpose: str, on: dt.date) -> list[Reason]:
    """PG39 art. 7: last year's conclusion was 不合格."""
    year = _judged_year(org, on)
    if year is None:
        return []
    report = AnnualReport.objects.filter(
        organization_id=org.pk, year=year, concluded_on__lte=on
    ).first()
    if report is None or report.conclusion != Conclusion.FAIL:
        return []
    return [
        Reason(
            code="supervision.inspection_failed",
            message=_("上一年度（%(year)s年度）年检结论为不合格") % {"year": year},
            source="supervision",
            ref=f"annual_report_id:{report.pk}",
        )
    ]


def check_basic_pass_twice(org: Any, purpose: str, on: dt.date) -> list[Reason]:
    """PG39 art. 7: two consecutive years of 基本合格."""
    year = _judged_year(org, on)
    if year is None:
        return []
    found = dict(
        AnnualReport.objects.filter(
            organization_id=org.pk, year__in=(year, year - 1), concluded_on__lte=on
        ).values_list("year", "conclusion")
    )
    if found.get(year) == Conclusion.BASIC_PASS and found.get(year - 1) == Conclusion.BASIC_PASS:
        return [
            Reason(
                code="supervision.basic_pass_twice",
                message=_("连续两年（%(first)s、%(second)s年度）年检结论为基本合格")
                % {"first": year - 1, "second": year},
                source="supervision",
                ref=f"annual_report:{year - 1}-{year}:{org.pk}",
            )
        ]
    return []
