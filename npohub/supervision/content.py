"""Reading a report's content: its sections, one section's inputs cleaned, the computed figures
(收入合计, foundation ratios) and every problem that keeps it from being submitted.

Read-only helpers shared by the services (saving a section), the workflow's submission guard and
the pages (the htmx check); the rules themselves are data in ``sections.py``. :func:`report_content`
is the content as one user sees it (personal data masked or not, see
``permissions.report_view``): the page and the API both render it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from npohub.core.errors import ValidationFailed
from npohub.core.validators import mask_id_number, mask_phone

from . import sections as sec
from .models import AnnualReport
from .policy import policy_for

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


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


# ---------------------------------------------------------------------------------------------
# The content as one user sees it

# An ID number or a mobile number written inside free text (the officers' lines, a summary).
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def masked_value(field: sec.Field, value: Any) -> Any:
    """``value`` with ID numbers and phones masked: a phone or ID-number field whole, and any
    ID number or mobile number written inside a text field."""
    if not isinstance(value, str) or not value:
        return value
    if field.code.endswith("phone"):
        return mask_phone(value)
    if field.code.endswith("id_number"):
        return mask_id_number(value)
    if field.type != sec.TEXT:
        return value
    value = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), value)
    return _MOBILE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), value)


@dataclass(frozen=True)
class ShownField:
    code: str
    label: StrOrPromise
    type: str
    required: bool
    computed: bool
    value: Any
    prefilled: bool  # filled in by the platform …
    source: str  # … from this source (登记信息, 活动报告 …)
    confirmed: bool  # … and confirmed by the organisation


@dataclass(frozen=True)
class ShownSection:
    section: sec.Section
    fields: tuple[ShownField, ...]
    filled: bool


def report_content(report: AnnualReport, *, personal: bool) -> list[ShownSection]:
    """The report's sections and values as one user sees them (``personal``: ID numbers and
    phones unmasked), with the platform's pre-fill marks."""
    confirmed = set(report.confirmed)
    shown: list[ShownSection] = []
    for section in report_sections(report):
        values = report.data.get(section.code) or {}
        fields = []
        for f in section.fields_for(report.org_kind):
            key = f"{section.code}.{f.code}"
            value = values.get(f.code)
            fields.append(
                ShownField(
                    code=f.code,
                    label=f.label,
                    type=f.type,
                    required=f.required,
                    computed=f.computed,
                    value=value if personal else masked_value(f, value),
                    prefilled=key in report.prefilled,
                    source=str(report.prefilled.get(key, "")),
                    confirmed=key in confirmed,
                )
            )
        shown.append(ShownSection(section=section, fields=tuple(fields), filled=bool(values)))
    return shown
