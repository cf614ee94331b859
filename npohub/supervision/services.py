"""Writes on annual reports: create (pre-filled), fill sections, move along the workflow,
reminders, and the credit hooks (late-report detector, eligibility checks).

Every write is one transaction with one audit event; refusals are ``DomainError``s with codes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from importlib import import_module
from typing import Any

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import BUREAU_ROLES, User
from npohub.core.audit import actor_label_for, audit_record
from npohub.core.errors import Conflict, DomainError, InvalidTransition, ValidationFailed
from npohub.core.permissions import require
from npohub.credit.models import CreditFact
from npohub.credit.registry import Reason
from npohub.credit.services import credit_fact_record, credit_fact_resolve
from npohub.notifications.services import notify
from npohub.orgs.models import (
    REGISTERED_KINDS,
    AccessReason,
    Officer,
    Organization,
    OrganizationAccess,
)

from . import sections as sec
from .models import CONCLUSIONS_NEEDING_REASONS, AnnualReport, Conclusion, ReportStateChange
from .permissions import can_create_report, can_edit_report, can_make, capacities_of
from .policy import policy_for
from .selectors import (
    deadlines_for,
    first_report_year,
    is_dual_managed,
    is_due,
    last_judged_year,
    organizations_due,
    rectification_needed,
)
from .workflows import EDITABLE_STATES, S, state_label, transition_for

LATE_KIND = "annual_report_late"
FAIL_KIND = "annual_report_noncompliant"
LATE_BASIS = (
    "《社会组织信用信息管理办法》第十条（未按照规定时限和要求向登记管理机关报送年度工作报告）"
)


class NotDue(DomainError):
    code = "supervision.not_due"


class ReportInvalid(ValidationFailed):
    code = "supervision.report_invalid"


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
    *, actor: Any, organization: Organization, year: int, today: dt.date | None = None
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


def capacities_of_user(user: Any, report: AnnualReport, capacity: str) -> bool:
    """Whether ``user`` holds ``capacity`` (organization, supervisor, bureau) for the report."""
    return capacity in capacities_of(user, report)


def report_sections(report: AnnualReport) -> list[sec.Section]:
    return sec.sections_for(
        report.org_kind,
        is_charity=report.is_charity,
        needs_rectification=report.needs_rectification,
    )


def _foundation_type(report: AnnualReport) -> str:
    return str(report.organization.foundation_type or "public")


def _recompute(report: AnnualReport) -> None:
    if report.org_kind != sec.FOUNDATION or "foundation_ratios" not in report.data:
        return
    ratios = sec.foundation_ratios(
        report.data.get("expenditure") or {},
        report.data["foundation_ratios"],
        foundation_type=_foundation_type(report),
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


@transaction.atomic
def report_update_section(
    *, actor: Any, report: AnnualReport, section: str, values: dict[str, Any]
) -> AnnualReport:
    """Save one section of a report the organisation holds; saving confirms its pre-filled fields."""
    report = (
        AnnualReport.objects.select_for_update().select_related("organization").get(pk=report.pk)
    )
    require(can_edit_report(actor, report))
    cleaned, errors = parse_section(report, section, values)
    if errors:
        raise ValidationFailed(next(iter(errors.values())), details=errors)
    before = report.data.get(section) or {}
    report.data[section] = cleaned
    _recompute(report)
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


def report_problems(report: AnnualReport) -> list[sec.Problem]:
    """Everything that keeps the report from being submitted (read-only)."""
    sections = report_sections(report)
    problems = sec.validate(
        kind=report.org_kind,
        data=report.data,
        sections=sections,
        foundation_type=_foundation_type(report),
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
# The workflow


def _lock(report: AnnualReport) -> AnnualReport:
    return (
        AnnualReport.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=report.pk)
    )


def _check_conclusion(conclusion: str, note: str) -> None:
    if conclusion not in Conclusion.values:
        raise ValidationFailed(
            _("请选择年检结论（合格、基本合格或不合格）"), details={"conclusion": _("必填")}
        )
    if conclusion in CONCLUSIONS_NEEDING_REASONS and not note:
        raise ValidationFailed(
            _("年检结论为基本合格或不合格时，须写明理由"), details={"note": _("必填")}
        )


@transaction.atomic
def report_transition(
    *,
    actor: Any,
    report: AnnualReport,
    transition: str,
    note: str = "",
    conclusion: str = "",
    today: dt.date | None = None,
) -> AnnualReport:
    """Move a report along its workflow (the only path that changes ``state``)."""
    report = _lock(report)
    move = transition_for(transition, route=report.route)
    if move is None:
        raise InvalidTransition(
            _("年度报告没有“%(move)s”这一步") % {"move": transition},
            details={"transition": transition},
        )
    if report.state not in move.sources:
        raise InvalidTransition(
            _("报告处于“%(state)s”状态，不能“%(move)s”")
            % {"state": state_label(report.state), "move": move.label},
            details={"state": report.state, "transition": transition},
        )
    require(can_make(actor, report, move))
    today = today or timezone.localdate()
    note = (note or "").strip()
    if move.needs_note and not note:
        raise ValidationFailed(_("请填写理由"), details={"note": _("必填")})
    if move.needs_conclusion:
        _check_conclusion(conclusion, note)
    if move.validate:
        problems = report_problems(report)
        if problems:
            raise ReportInvalid(
                _("年度报告有%(n)s处需要修改：%(first)s")
                % {"n": len(problems), "first": problems[0].message},
                details=[p.as_dict() for p in problems],
            )
    from_state = report.state
    _apply(report, move.name, note=note, conclusion=conclusion, today=today)
    if move.reaches_bureau and report.bureau_received_on is None:
        report.bureau_received_on = today
    report.state = move.target
    report.save()
    ReportStateChange.objects.create(
        report=report,
        transition=move.name,
        from_state=from_state,
        to_state=move.target,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=actor_label_for(actor)[:150],
        note=note,
        occurred_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        kind=f"supervision.report_{move.name}",
        target=report,
        payload={
            "from": from_state,
            "to": move.target,
            "note": note,
            "conclusion": report.conclusion,
        },
        organization_id=report.organization_id,
        region_code=report.address_code,
    )
    if move.reaches_bureau:
        _resolve_late_fact(actor, report)
    if move.name == "conclude" and report.conclusion == Conclusion.FAIL:
        _record_failed(actor, report, today)
    _notify(report, move.name, actor)
    return report


def _apply(report: AnnualReport, name: str, *, note: str, conclusion: str, today: dt.date) -> None:
    if name == "submit":
        report.submitted_on = today
    elif name in ("supervisor_approve", "supervisor_return"):
        report.supervisor_reviewed_on = today
        report.supervisor_opinion = note
    elif name == "conclude":
        report.conclusion = conclusion
        report.conclusion_reasons = note
        report.concluded_on = today
    elif name == "publish":
        report.published_on = today
    elif name == "reopen":
        report.conclusion = ""
        report.conclusion_reasons = ""
        report.concluded_on = None
        report.published_on = None


def _source_ref(year: int, org_id: int) -> str:
    return f"annual_report:{year}:{org_id}"


def _resolve_late_fact(actor: Any, report: AnnualReport) -> None:
    """A late report that reaches the bureau fulfils the obligation behind the late fact."""
    fact = CreditFact.objects.filter(
        kind=LATE_KIND,
        source_ref=_source_ref(report.year, report.organization_id),
        resolved_on__isnull=True,
    ).first()
    if fact is not None and report.bureau_received_on is not None:
        credit_fact_resolve(
            actor=actor,
            fact=fact,
            on=max(report.bureau_received_on, fact.arose_on),
            note=str(
                _("已于%(date)s补报%(year)s年度工作报告")
                % {"date": report.bureau_received_on, "year": report.year}
            ),
        )


def _record_failed(actor: Any, report: AnnualReport, today: dt.date) -> None:
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


# ---------------------------------------------------------------------------------------------
# Notifications


def _region_users(roles: Iterable[str], code: str) -> list[User]:
    prefixes = {code[:n] for n in (2, 4, 6, 9, 12)}
    return list(
        User.objects.filter(is_active=True, role__in=list(roles), scope_prefix__in=prefixes)
    )


def _granted_users(org_id: int, reason: str) -> list[User]:
    ids = OrganizationAccess.objects.filter(organization_id=org_id, reason=reason).values("user_id")
    return list(User.objects.filter(is_active=True, pk__in=ids))


def _notify(report: AnnualReport, move: str, actor: Any) -> None:
    url = reverse("supervision:report-detail", args=[report.pk])
    name = report.organization.name
    title = _("%(name)s %(year)s年度报告：%(state)s") % {
        "name": name,
        "year": report.year,
        "state": report.state_label,
    }
    user = actor if isinstance(actor, User) else None
    if move == "submit" and report.state == S.SUPERVISOR_REVIEW:
        notify(
            recipients=_granted_users(report.organization_id, AccessReason.SUPERVISED),
            kind="supervision.to_review",
            title=title,
            url=url,
            actor=user,
        )
    elif report.state == S.SUBMITTED and move in ("submit", "supervisor_approve"):
        notify(
            recipients=_region_users(BUREAU_ROLES, report.address_code),
            kind="supervision.to_review",
            title=title,
            url=url,
            actor=user,
        )
    notify(
        recipients=_granted_users(report.organization_id, AccessReason.OWN),
        kind="supervision.update",
        title=title,
        url=url,
        actor=user,
    )


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
        recipients=_granted_users(org.pk, AccessReason.OWN),
        kind="supervision.deadline",
        title=_("%(name)s：%(year)s年度工作报告须于%(date)s前报送，还剩%(days)s天")
        % {"name": org.name, "year": year, "date": deadline.isoformat(), "days": days},
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


# ---------------------------------------------------------------------------------------------
# Credit: the late-report detector and the eligibility checks (registered in apps.ready)


def detect_late_reports(on: dt.date, actor: Any = None) -> int:
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
            ref = _source_ref(year, org.pk)
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
                        % {"date": deadline.isoformat(), "year": year}
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
                        _("已于%(date)s补报%(year)s年度工作报告") % {"date": arrived, "year": year}
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
            ref=_source_ref(year, org.pk),
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
