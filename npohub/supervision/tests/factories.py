"""Helpers for annual-report tests: a complete, valid content per kind and a report in any state."""

from __future__ import annotations

import datetime as dt
from typing import Any

from npohub.supervision import services
from npohub.supervision.models import AnnualReport

VALID: dict[str, dict[str, Any]] = {
    "basic": {
        "org_name": "x",
        "uscc": "x",
        "legal_representative": "张三",
        "address": "济南市历下区",
    },
    "governance": {"officers": "会长：张三", "council_meetings": 2, "general_assemblies": 1},
    "staff": {"full_time_staff": 3, "individual_members": 60},
    "party": {"party_members": 1},
    "activities": {"summary": "开展助老服务12次"},
    "income": {
        "donation_income": "100.00",
        "government_grants": "50.00",
        "service_income": "0.00",
        "total_income": "150.00",
    },
    "expenditure": {
        "program_expenses": "900.00",
        "admin_expenses": "40.00",
        "wages": "40.00",
        "total_expenditure": "980.00",
    },
    "assets": {"total_assets": "500.00", "total_liabilities": "100.00", "net_assets": "400.00"},
    "foundation_ratios": {
        "prior_year_income": "1000.00",
        "prior_year_fund_balance": "5000.00",
        "audit_firm": "某会计师事务所",
        "audit_opinion": "标准无保留意见",
    },
    "charity": {"disclosed_on": "2026-05-20"},
    "rectification": {"problems": "未按期换届", "measures": "已于3月完成换届"},
}


def fill(report: AnnualReport, actor: Any, **overrides: dict[str, Any]) -> AnnualReport:
    """Save every section of the report with valid content (through the service)."""
    for section in services.report_sections(report):
        values = dict(VALID[section.code])
        values.update(overrides.get(section.code, {}))
        report = services.report_update_section(
            actor=actor, report=report, section=section.code, values=values
        )
    return report


def make_report(
    org: Any, actor: Any, *, year: int = 2025, today: dt.date | None = None, filled: bool = True
) -> AnnualReport:
    report = services.report_create(
        actor=actor, organization=org, year=year, today=today or dt.date(year + 1, 2, 1)
    )
    return fill(report, actor) if filled else report


def to_state(
    report: AnnualReport,
    *,
    org_user: Any,
    reviewer: Any,
    bureau: Any,
    state: str,
    on: dt.date,
    conclusion: str = "pass",
) -> AnnualReport:
    """Drive a filled report to ``state`` through the real transitions, all on ``on``."""
    report = services.report_transition(
        actor=org_user, report=report, transition="submit", today=on
    )
    if state == "supervisor_review":
        return report
    if report.state == "supervisor_review":
        report = services.report_transition(
            actor=reviewer, report=report, transition="supervisor_approve", today=on
        )
    if state == "submitted":
        return report
    report = services.report_transition(
        actor=bureau,
        report=report,
        transition="conclude",
        conclusion=conclusion,
        note="" if conclusion == "pass" else "理由",
        today=on,
    )
    if state == "concluded":
        return report
    return services.report_transition(actor=bureau, report=report, transition="publish", today=on)


# A minimal, valid, inactive PDF and a PNG header (attachments are sniffed by content).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
