"""Annual-report demo: last year's reports of the demo city's registered organisations.

A sample of organisations (always including the demo organisation account's own and the ones
the demo reviewer supervises) goes through the real services, so every state of the workflow
appears, with history, audit events, conclusions (合格/基本合格/不合格, some published) and a
share of reports that reached the bureau after the deadline or never did (so the credit
engine's ``annual_report_late`` detector has facts to list). Every other due organisation of the
city gets a complete, on-time, concluded report written in bulk (a demo shortcut: the same
content, without per-section history), so the submission dashboard shows realistic rates.
Running it again changes nothing (it stops when reports for the year exist).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from npohub.accounts.models import User
from npohub.orgs.models import AccessReason, Organization, OrganizationAccess
from npohub.supervision import services
from npohub.supervision.models import AnnualReport
from npohub.supervision.selectors import deadlines_for, is_dual_managed, organizations_due

CITY = "3701"
SAMPLE = 90
# The states the sample cycles through (late ones reach the bureau after the deadline).
PLAN = (
    "draft",
    "supervisor_review",
    "submitted",
    "returned",
    "pass",
    "pass_published",
    "basic_pass",
    "fail",
    "late_pass",
    "pass_published",
    "never",
)


@dataclass
class Summary:
    reports: int = 0
    bulk: int = 0
    states: dict[str, int] = field(default_factory=dict)


def content(org: Organization, n: int) -> dict[str, dict[str, Any]]:
    """A complete, consistent report (totals add up; foundation ratios within JJH art. 29)."""
    donation = Decimal(20000 + 1000 * (n % 50))
    grants = Decimal(10000 + 500 * (n % 20))
    service = Decimal(5000 * (n % 7))
    income = donation + grants + service
    program = (income * Decimal("0.85")).quantize(Decimal("1"))
    admin = (income * Decimal("0.04")).quantize(Decimal("1"))
    wages = (income * Decimal("0.04")).quantize(Decimal("1"))
    spent = program + admin + wages
    liabilities = Decimal(2000 + 100 * (n % 30))
    net = Decimal(30000 + 700 * (n % 40))
    rep = (
        org.legal_representative.name
        if org.legal_representative_id and org.legal_representative
        else "—"
    )
    data: dict[str, dict[str, Any]] = {
        "basic": {
            "org_name": org.name,
            "uscc": org.uscc or "",
            "legal_representative": rep,
            "address": org.address or org.address_code,
            "contact_phone": org.phone or "",
            # From the registry, as the report's pre-fill (issue 13: it showed "—").
            "supervisory_unit": org.supervisory_unit or "",
        },
        "governance": {
            "officers": f"法定代表人：{rep}",
            "council_meetings": 2 + n % 3,
            "general_assemblies": 1,
        },
        "staff": {
            "full_time_staff": 2 + n % 6,
            "part_time_staff": n % 4,
            "individual_members": 50 + n % 80,
            "volunteers": 10 + n % 90,
        },
        "party": {"party_members": n % 6, "has_party_organization": n % 6 >= 3},
        "activities": {
            "summary": f"全年开展公益服务活动{6 + n % 20}场，服务群众{300 + 17 * n}人次",
            "projects": 1 + n % 5,
            "beneficiaries": 300 + 17 * n,
        },
        "income": {
            "donation_income": str(donation),
            "government_grants": str(grants),
            "service_income": str(service),
            "total_income": str(income),
        },
        "expenditure": {
            "program_expenses": str(program),
            "admin_expenses": str(admin),
            "wages": str(wages),
            "total_expenditure": str(spent),
        },
        "assets": {
            "total_assets": str(liabilities + net),
            "total_liabilities": str(liabilities),
            "net_assets": str(net),
        },
        "foundation_ratios": {
            "prior_year_income": str(income),
            "prior_year_fund_balance": str(net),
            "audit_firm": "济南某会计师事务所",
            "audit_opinion": "标准无保留意见",
        },
        "charity": {"disclosed_on": "", "related_parties_filed": True},
        "rectification": {
            "problems": "上年度未按期参加年检",
            "measures": "已明确专人负责年报工作并按期报送",
        },
    }
    return data


def _fill(report: AnnualReport, actor: Any, n: int, year: int) -> AnnualReport:
    data = content(report.organization, n)
    data["charity"]["disclosed_on"] = dt.date(year + 1, 4, 20).isoformat()
    for section in services.report_sections(report):
        report = services.report_update_section(
            actor=actor, report=report, section=section.code, values=data[section.code]
        )
    return report


def _actors() -> dict[str, User]:
    return {
        "admin": User.objects.get(username="admin"),
        "bureau": User.objects.get(username="city"),
        "org": User.objects.get(username="org"),
        "reviewer": User.objects.get(username="reviewer"),
    }


def _sample(year: int, actors: dict[str, User]) -> list[Organization]:
    granted = list(
        OrganizationAccess.objects.filter(
            user__in=[actors["org"], actors["reviewer"]],
            reason__in=[AccessReason.OWN, AccessReason.SUPERVISED],
        ).values_list("organization_id", flat=True)
    )
    due = (
        organizations_due(year)
        .filter(address_code__startswith=CITY)
        .select_related("legal_representative")
    )
    first = list(due.filter(pk__in=granted).order_by("pk"))
    rest = list(due.exclude(pk__in=granted).order_by("pk")[: max(SAMPLE - len(first), 0)])
    return first + rest


def _drive(report: AnnualReport, plan: str, actors: dict[str, User], year: int) -> AnnualReport:
    owner = (
        actors["org"]
        if services.capacities_of_user(actors["org"], report, "organization")
        else actors["admin"]
    )
    supervisor = (
        actors["reviewer"]
        if services.capacities_of_user(actors["reviewer"], report, "supervisor")
        else actors["admin"]
    )
    bureau = (
        actors["bureau"]
        if services.capacities_of_user(actors["bureau"], report, "bureau")
        else actors["admin"]
    )
    if plan in ("draft", "never"):
        return report
    late = plan.startswith("late")
    submitted_on = dt.date(year + 1, 6, 5) if late else dt.date(year + 1, 3, 10)
    reviewed_on = dt.date(year + 1, 6, 10) if late else dt.date(year + 1, 3, 25)
    move = services.report_transition
    report = move(actor=owner, report=report, transition="submit", today=submitted_on)
    if plan == "supervisor_review" and report.state == "supervisor_review":
        return report
    if report.state == "supervisor_review":
        report = move(
            actor=supervisor,
            report=report,
            transition="supervisor_approve",
            note="初审同意",
            today=reviewed_on,
        )
    if plan in ("submitted", "supervisor_review"):
        return report
    decided = dt.date(year + 1, 7, 15) if late else dt.date(year + 1, 4, 20)
    if plan == "returned":
        return move(
            actor=bureau,
            report=report,
            transition="return",
            note="请补充财务会计报告附注",
            today=decided,
        )
    conclusion = {"basic_pass": "basic_pass", "fail": "fail"}.get(plan, "pass")
    reasons = {
        "basic_pass": "未按章程规定召开理事会；财务管理不够规范",
        "fail": "未按规定换届且拒不整改",
    }.get(plan, "")
    report = move(
        actor=bureau,
        report=report,
        transition="conclude",
        conclusion=conclusion,
        note=reasons,
        today=decided,
    )
    if plan.endswith("published"):
        report = move(
            actor=bureau, report=report, transition="publish", today=dt.date(year + 1, 8, 1)
        )
    return report


def _bulk(year: int, skip: set[int], start: int) -> int:
    rows = []
    for n, org in enumerate(
        organizations_due(year)
        .filter(address_code__startswith=CITY)
        .exclude(pk__in=skip)
        .select_related("legal_representative", "authority_region")
        .order_by("pk"),
        start=start,
    ):
        d = deadlines_for(org, year)
        received = min(d.bureau, dt.date(year + 1, 3, 25))
        data = content(org, n)
        data["charity"]["disclosed_on"] = dt.date(year + 1, 4, 20).isoformat()
        rows.append(
            AnnualReport(
                organization=org,
                year=year,
                state="published",
                org_kind=org.kind,
                is_dual_managed=is_dual_managed(org),
                is_charity=org.is_charity,
                address_code=org.address_code,
                authority_code=org.authority_region.code if org.authority_region else "",
                data=data,
                supervisor_deadline=d.supervisor,
                bureau_deadline=d.bureau,
                submitted_on=received - dt.timedelta(days=10),
                supervisor_reviewed_on=received if d.supervisor else None,
                bureau_received_on=received,
                conclusion="pass",
                concluded_on=dt.date(year + 1, 6, 20),
                published_on=dt.date(year + 1, 8, 1),
            )
        )
    AnnualReport.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def load_supervision_demo(*, today: dt.date | None = None) -> Summary:
    today = today or timezone.localdate()
    year = today.year - 1
    if AnnualReport.objects.filter(year=year).exists():
        return Summary()
    actors = _actors()
    summary = Summary()
    sample = _sample(year, actors)
    done: set[int] = set()
    for n, org in enumerate(sample):
        plan = PLAN[n % len(PLAN)]
        done.add(org.pk)
        if plan == "never":
            summary.states["never"] = summary.states.get("never", 0) + 1
            continue
        with transaction.atomic():
            report = services.report_create(
                actor=actors["admin"], organization=org, year=year, today=dt.date(year + 1, 2, 1)
            )
            report = _fill(report, actors["admin"], n, year)
            report = _drive(report, plan, actors, year)
        summary.reports += 1
        summary.states[report.state] = summary.states.get(report.state, 0) + 1
    summary.bulk = _bulk(year, done, len(sample))
    return summary
