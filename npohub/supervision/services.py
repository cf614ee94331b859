"""Writes on annual reports: create (pre-filled), fill sections, attachments, move along the
workflow, reminders; and, re-exported, the credit hooks (late-report detector, eligibility checks).

Every write is one transaction with one audit event; refusals are ``DomainError``s with codes.
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import IO, Any

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import Conflict, DomainError, ValidationFailed
from npohub.core.permissions import require
from npohub.core.templatetags.npohub import cn_date
from npohub.core.uploads import discard_document, store_document
from npohub.core.workflows import run_move
from npohub.notifications.services import notify
from npohub.orgs.models import Officer, Organization
from npohub.orgs.scope import organization_accounts

from . import sections as sec
from .content import parse_section, recompute, report_problems, report_sections
from .credit_hooks import (
    FAIL_KIND,
    LATE_BASIS,
    LATE_KIND,
    check_basic_pass_twice,
    check_failed_inspection,
    check_missed_inspection,
    detect_late_reports,
)
from .models import AnnualReport, AttachmentKind, ReportAttachment
from .permissions import (
    Viewer,
    can_change_attachments,
    can_create_report,
    can_edit_report,
    capacities_of,
)
from .policy import policy_for
from .selectors import (
    deadlines_for,
    is_dual_managed,
    is_due,
    organizations_due,
    rectification_needed,
)
from .workflows import EDITABLE_STATES, WORKFLOW, ReportInvalid, S

__all__ = [
    "FAIL_KIND",
    "LATE_BASIS",
    "LATE_KIND",
    "NotDue",
    "ReportInvalid",
    "attachment_add",
    "attachment_remove",
    "capacities_of_user",
    "check_basic_pass_twice",
    "check_failed_inspection",
    "check_missed_inspection",
    "detect_late_reports",
    "parse_section",
    "report_create",
    "report_problems",
    "report_remind_deadlines",
    "report_sections",
    "report_transition",
    "report_update_section",
]


class NotDue(DomainError):
    code = "supervision.not_due"


# ---------------------------------------------------------------------------------------------
# Create, with "fill once" pre-filling


def _officer_lines(org: Organization, year: int) -> str:
    year_end = dt.date(year, 12, 31)
    officers = (
        Officer.objects.filter(organization_id=org.pk)
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=year_end))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=year_end))
        .select_related("person")
        .order_by("position", "id")
    )
    return "\n".join(f"{o.get_position_display()}：{o.person.name}" for o in officers)


def _registration_counts(org: Organization) -> dict[str, int]:
    """Member counts from the latest approved registration application, when that app is there."""
    if not apps.is_installed("npohub.registration"):
        return {}
    application = apps.get_model("registration", "Application")
    latest = (
        application.objects.filter(organization_id=org.pk, state="approved")
        .order_by("-decided_at", "-id")
        .values_list("data", flat=True)
        .first()
    )
    counts: dict[str, int] = {}
    for key in ("individual_members", "unit_members"):
        value = (latest or {}).get(key)
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            counts[key] = int(value)
    return counts


def _activity_lines(org: Organization, year: int) -> tuple[str, int]:
    """The year's activities the platform already holds: activity reports (registration),
    activities verified by staff (enforcement), pairings it led (hubs). Read by model name so
    this app does not import its neighbours."""
    rows: list[tuple[dt.date, str]] = []
    if apps.is_installed("npohub.registration"):
        report_model = apps.get_model("registration", "ActivityReport")
        rows += [
            (d, f"{title}（{n}人）")
            for d, title, n in report_model.objects.filter(
                organization_id=org.pk, starts_on__year=year
            ).values_list("starts_on", "title", "participants")
        ]
    if apps.is_installed("npohub.enforcement"):
        evidence_model = apps.get_model("enforcement", "ActivityEvidence")
        rows += list(
            evidence_model.objects.filter(
                organization_id=org.pk, occurred_on__year=year
            ).values_list("occurred_on", "description")
        )
    if apps.is_installed("npohub.hubs"):
        pairing_model = apps.get_model("hubs", "Pairing")
        year_end, year_start = dt.date(year, 12, 31), dt.date(year, 1, 1)
        rows += [
            (started, str(_("结对共建%(group)s：%(topic)s") % {"group": group, "topic": topic}))
            for started, group, topic in pairing_model.objects.filter(
                senior_id=org.pk, started_on__lte=year_end
            )
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=year_start))
            .values_list("started_on", "community_group__name", "topic")
        ]
    rows.sort(key=lambda row: (row[0], row[1]))
    lines = [f"{d:%Y-%m-%d} {text}" for d, text in rows]
    return "\n".join(lines), len(rows)


def _party_facts(org: Organization, year: int) -> dict[str, Any]:
    """The party section from the party app's ``party_summary_for`` (when that app offers it),
    as the organisation stood on 31 December of the report year."""
    if not apps.is_installed("npohub.party"):
        return {}
    try:
        module = import_module("npohub.party.selectors")
    except ImportError:
        return {}
    reader = getattr(module, "party_summary_for", None)
    if not callable(reader):
        return {}
    summary = reader(org, dt.date(year, 12, 31)) or {}
    facts: dict[str, Any] = {}
    if isinstance(summary.get("staff_formal_members"), int):
        facts["party_members"] = summary["staff_formal_members"]
    party_org = summary.get("party_organization") or {}
    if party_org.get("name"):
        facts["has_party_organization"] = True
        facts["party_organization"] = str(party_org["name"])
    instructors = [
        str(i.get("name", "")) for i in summary.get("instructors") or [] if i.get("name")
    ]
    if instructors:
        facts["party_instructor"] = "、".join(instructors)
    return facts


def _prefill(
    org: Organization, year: int, needs_rectification: bool
) -> tuple[dict[str, Any], dict[str, str]]:
    data: dict[str, dict[str, Any]] = {}
    marks: dict[str, str] = {}

    def put(section: str, field: str, value: Any, source: str) -> None:
        if value in (None, ""):
            return
        data.setdefault(section, {})[field] = value
        marks[f"{section}.{field}"] = source

    registry = str(_("登记信息"))
    put("basic", "org_name", org.name, registry)
    put("basic", "uscc", org.uscc or "", registry)
    rep = org.legal_representative
    put("basic", "legal_representative", rep.name if rep else "", registry)
    put("basic", "address", org.address, registry)
    put("basic", "contact_phone", org.phone, registry)
    put("basic", "supervisory_unit", org.supervisory_unit, registry)
    put("governance", "officers", _officer_lines(org, year), str(_("负责人登记")))
    if org.kind == sec.ASSOCIATION:
        for key, value in _registration_counts(org).items():
            put("staff", key, value, str(_("登记申请")))
    summary, count = _activity_lines(org, year)
    put("activities", "summary", summary, str(_("活动报告")))
    put("activities", "projects", count or None, str(_("活动报告")))
    for key, value in _party_facts(org, year).items():
        put("party", key, value, str(_("党建信息")))
    previous = AnnualReport.objects.filter(organization_id=org.pk, year=year - 1).first()
    if previous is not None:
        last = str(_("%(year)s年度年报") % {"year": year - 1})
        if org.kind == sec.FOUNDATION:
            put(
                "foundation_ratios",
                "prior_year_income",
                (previous.data.get("income") or {}).get("total_income"),
                last,
            )
            put(
                "foundation_ratios",
                "prior_year_fund_balance",
                (previous.data.get("assets") or {}).get("net_assets"),
                last,
            )
        if needs_rectification and previous.conclusion_reasons:
            put("rectification", "problems", previous.conclusion_reasons, str(_("上年度年检结论")))
    return data, marks


@transaction.atomic
def report_create(
    *, actor: User, organization: Organization, year: int, today: dt.date | None = None
) -> AnnualReport:
    """Open an organisation's report for ``year``, pre-filled from what the platform holds;
    only organisations that must report for that year (rules 21, 22, 48) get one."""
    require(can_create_report(actor, organization))
    today = today or timezone.localdate()
    if year >= today.year:
        raise ValidationFailed(
            _("%(year)s年度尚未结束，不能填报年度报告") % {"year": year},
            details={"year": _("无效")},
        )
    if not is_due(organization, year):
        raise NotDue(
            _("%(name)s无需参加%(year)s年度年检（新登记未满规定期限、已注销/撤销或为备案组织）")
            % {"name": organization.name, "year": year},
            details={"year": _("无效")},
        )
    if AnnualReport.objects.filter(organization_id=organization.pk, year=year).exists():
        raise Conflict(
            _("%(name)s的%(year)s年度报告已存在") % {"name": organization.name, "year": year},
            code="supervision.report_exists",
        )
    needs, basis = rectification_needed(organization, year)
    data, marks = _prefill(organization, year, needs)
    deadlines = deadlines_for(organization, year)
    authority = (
        organization.authority_region.code
        if organization.authority_region_id and organization.authority_region
        else ""
    )
    report = AnnualReport(
        organization=organization,
        year=year,
        state=S.DRAFT,
        org_kind=organization.kind,
        is_dual_managed=is_dual_managed(organization),
        is_charity=organization.is_charity,
        needs_rectification=needs,
        rectification_basis=basis[:200],
        address_code=organization.address_code,
        authority_code=authority,
        data=data,
        prefilled=marks,
        confirmed=[],
        supervisor_deadline=deadlines.supervisor,
        bureau_deadline=deadlines.bureau,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as exc:
        raise Conflict(
            _("%(name)s的%(year)s年度报告已存在") % {"name": organization.name, "year": year},
            code="supervision.report_exists",
        ) from exc
    audit_record(
        actor=actor,
        kind="supervision.report_created",
        target=report,
        payload={"year": year, "prefilled": sorted(marks), "needs_rectification": needs},
        organization_id=organization.pk,
        region_code=organization.address_code,
    )
    return report


def capacities_of_user(user: Viewer, report: AnnualReport, capacity: str) -> bool:
    """Whether ``user`` holds ``capacity`` (organization, supervisor, bureau) for the report."""
    return capacity in capacities_of(user, report)


@transaction.atomic
def report_update_section(
    *, actor: User, report: AnnualReport, section: str, values: dict[str, Any]
) -> AnnualReport:
    """Save one section of a report the organisation holds; saving confirms its pre-filled fields.

    A pre-filled field the caller does not send keeps the value the platform filled in (a
    client that saves only the fields it shows does not erase the registry's 业务主管单位);
    sending it empty clears it.
    """
    report = (
        AnnualReport.objects.select_for_update().select_related("organization").get(pk=report.pk)
    )
    require(can_edit_report(actor, report))
    before = report.data.get(section) or {}
    kept = {
        code: before[code]
        for path in report.prefilled
        if path.startswith(f"{section}.")
        and (code := path.split(".", 1)[1]) not in values
        and before.get(code) not in (None, "")
    }
    cleaned, errors = parse_section(report, section, {**kept, **values})
    if errors:
        raise ValidationFailed(next(iter(errors.values())), details=errors)
    report.data[section] = cleaned
    recompute(report)
    confirmed = set(report.confirmed)
    confirmed.update(path for path in report.prefilled if path.startswith(f"{section}."))
    report.confirmed = sorted(confirmed)
    report.save(update_fields=["data", "confirmed", "updated_at"])
    changed = sorted(k for k in cleaned if before.get(k) != cleaned[k])
    audit_record(
        actor=actor,
        kind="supervision.report_section_saved",
        target=report,
        payload={"section": section, "changed": changed},
        organization_id=report.organization_id,
        region_code=report.address_code,
    )
    return report


# ---------------------------------------------------------------------------------------------
# Attachments (the accounts note a bureau asks for, the audit report …)


def _lock(report: AnnualReport) -> AnnualReport:
    return (
        AnnualReport.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=report.pk)
    )


@transaction.atomic
def attachment_add(
    *, actor: User, report: AnnualReport, kind: str, name: str, stream: IO[bytes]
) -> ReportAttachment:
    """Attach a checked document (type sniffed from the content) while the organisation holds
    the report."""
    report = _lock(report)
    require(can_change_attachments(actor, report))
    if kind not in AttachmentKind.values:
        raise ValidationFailed(
            _("未知的材料类型“%(kind)s”") % {"kind": kind}, details={"kind": _("无效")}
        )
    attachment = ReportAttachment(report=report, kind=kind)
    checked = store_document(
        attachment,
        name=name,
        stream=stream,
        max_bytes=int(policy_for(report.address_code)["attachment_max_bytes"]),
        uploaded_by=actor,
    )
    audit_record(
        actor=actor,
        kind="supervision.report_attachment_added",
        target=report,
        payload={
            "attachment": attachment.pk,
            "kind": kind,
            "name": checked.name,
            "sha256": checked.sha256,
        },
        organization_id=report.organization_id,
        region_code=report.address_code,
    )
    return attachment


@transaction.atomic
def attachment_remove(*, actor: User, attachment: ReportAttachment) -> None:
    """Remove a document while the organisation still holds the report."""
    report = _lock(attachment.report)
    require(can_change_attachments(actor, report))
    payload = discard_document(attachment)
    audit_record(
        actor=actor,
        kind="supervision.report_attachment_removed",
        target=report,
        payload=payload,
        organization_id=report.organization_id,
        region_code=report.address_code,
    )


# ---------------------------------------------------------------------------------------------
# The workflow (the table, guards and effects are in workflows.py; core's engine runs them)


def report_transition(
    *,
    actor: User,
    report: AnnualReport,
    transition: str,
    note: str = "",
    conclusion: str = "",
    today: dt.date | None = None,
) -> AnnualReport:
    """Move a report along its workflow (the only path that changes ``state``)."""
    return run_move(
        WORKFLOW,
        report,
        transition,
        actor=actor,
        note=note,
        today=today,
        data={"conclusion": conclusion},
    )


# ---------------------------------------------------------------------------------------------
# Reminders


@transaction.atomic
def _remind_one(
    org: Organization,
    year: int,
    deadline: dt.date,
    days: int,
    today: dt.date,
    report_id: int | None,
) -> int:
    url = (
        reverse("supervision:report-detail", args=[report_id])
        if report_id
        else reverse("supervision:report-list")
    )
    return notify(
        recipients=organization_accounts(org.pk, on=today),
        kind="supervision.deadline",
        title=_("%(name)s：%(year)s年度工作报告须于%(date)s前报送，还剩%(days)s天")
        % {"name": org.name, "year": year, "date": cn_date(deadline), "days": days},
        url=url,
        dedupe_key=f"annual:{year}:{org.pk}:{deadline.isoformat()}:{days}",
    )


def report_remind_deadlines(*, today: dt.date | None = None) -> int:
    """Remind organisations that still hold (or have not started) this season's report,
    N days before their next deadline (policy ``reminder_days``); idempotent per day."""
    today = today or timezone.localdate()
    year = today.year - 1
    held = dict(AnnualReport.objects.filter(year=year).values_list("organization_id", "state"))
    ids = dict(AnnualReport.objects.filter(year=year).values_list("organization_id", "pk"))
    count = 0
    for org in organizations_due(year).only(
        "pk",
        "name",
        "kind",
        "address_code",
        "supervisory_unit",
        "is_charity",
        "registration_date",
        "status",
    ):
        state = held.get(org.pk)
        if state is not None and state not in EDITABLE_STATES:
            continue
        deadlines = deadlines_for(org, year)
        deadline = deadlines.supervisor or deadlines.bureau
        days = (deadline - today).days
        if days not in set(policy_for(org.address_code)["reminder_days"]):
            continue
        if _remind_one(org, year, deadline, days, today, ids.get(org.pk)):
            count += 1
    return count
