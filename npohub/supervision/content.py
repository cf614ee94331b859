"""Reading a report's content: its sections, one section's inputs cleaned, the computed figures
(收入合计, foundation ratios) and every problem that keeps it from being submitted.

Read-only helpers shared by the services (saving a section), the workflow's submission guard and
the pages (the htmx check); the rules themselves are data in ``sections.py``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from npohub.core.errors import ValidationFailed

from . import sections as sec
from .models import AnnualReport
from .policy import policy_for


def report_sections(report: AnnualReport) -> list[sec.Section]:
    return sec.sections_for(
        report.org_kind,
        is_charity=report.is_charity,
        needs_rectification=report.needs_rectification,
    )


def foundation_type(report: AnnualReport) -> str:
    return str(report.organization.foundation_type or "public")


def recompute(report: AnnualReport) -> None:
    """Fill in the computed fields from the typed ones (收入合计; a foundation's ratios)."""
    income = report.data.get("income")
    if isinstance(income, dict) and income:
        income["total_income"] = sec.income_total(income)
    if report.org_kind != sec.FOUNDATION or "foundation_ratios" not in report.data:
        return
    ratios = sec.foundation_ratios(
        report.data.get("expenditure") or {},
        report.data["foundation_ratios"],
        foundation_type=foundation_type(report),
        policy=policy_for(report.address_code),
    )
    for key, value in ratios.items():
        report.data["foundation_ratios"][key] = str(value) if value is not None else None


def parse_section(
    report: AnnualReport, section_code: str, values: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Clean one section's inputs; returns (values, {field: error})."""
    section = sec.SECTION_BY_CODE.get(section_code)
    if section is None or section not in report_sections(report):
        raise ValidationFailed(
            _("该报告没有“%(section)s”部分") % {"section": section_code},
            details={"section": _("无效")},
        )
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in section.fields_for(report.org_kind):
        if field.computed:
            continue
        value, error = sec.parse(field, values.get(field.code))
        if error:
            errors[field.code] = f"{field.label}：{error}"
        else:
            cleaned[field.code] = value
    return cleaned, errors


def report_problems(report: AnnualReport) -> list[sec.Problem]:
    """Everything that keeps the report from being submitted (read-only)."""
    sections = report_sections(report)
    problems = sec.validate(
        kind=report.org_kind,
        data=report.data,
        sections=sections,
        foundation_type=foundation_type(report),
        policy=policy_for(report.address_code),
    )
    pending = {p.split(".", 1)[0] for p in report.prefilled if p not in set(report.confirmed)}
    for section in sections:
        if section.code in pending and report.data.get(section.code):
            problems.append(
                sec.Problem(
                    section.code,
                    "",
                    _("%(section)s：请核对并确认平台预填的内容") % {"section": section.label},
                )
            )
    return problems
