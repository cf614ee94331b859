"""The dormant-organisation clean-up (僵尸型社会组织, rule 45): detection, campaigns, outcomes.

Detection applies the four criteria of the national campaign with the campaign's own years and
dates (``DormantCampaign``; defaults in ``policy.py``). Activity evidence comes from the
registration app's activity reports and the evidence recorded here; annual reports from the
supervision app; "cannot be contacted" from credit's contact records (two unsigned letters).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import DomainError, InvalidTransition, ValidationFailed
from npohub.core.permissions import require
from npohub.orgs.models import CLOSED_STATUSES, Organization
from npohub.regions.codes import prefix_of
from npohub.regions.models import Region

from .models import ActivityEvidence, DormantCampaign, DormantCandidate, PenaltyCase, Sanction
from .permissions import can_manage_campaign
from .policy import policy_for
from .services.cases import _create_case
from .services.missing_reports import _revocation_kind, first_report_years, last_due_report_year
from .workflows import DORMANT_OUTCOMES, LEGAL_BASES, PS

if TYPE_CHECKING:
    from npohub.registration.models import Application


@dataclass(frozen=True)
class Criteria:
    """The parameters of one detection run (a campaign's, or the policy's defaults)."""

    report_years: tuple[int, ...]
    no_activity_since: dt.date
    first_activity_days: int
    on: dt.date


def default_criteria(region_code: str, on: dt.date) -> Criteria:
    policy = policy_for(region_code)
    last = last_due_report_year(on, policy)
    n = int(policy["dormant_missing_report_years"])
    return Criteria(
        report_years=tuple(range(last - n + 1, last + 1)),
        no_activity_since=policy["dormant_no_activity_since"],
        first_activity_days=int(policy["dormant_first_activity_days"]),
        on=on,
    )


def activity_dates(org_ids: list[int]) -> dict[int, list[dt.date]]:
    """Every known activity date per organisation (activity reports and recorded evidence)."""
    from npohub.registration.models import ActivityReport

    dates: dict[int, list[dt.date]] = defaultdict(list)
    for org_id, day in ActivityEvidence.objects.filter(organization_id__in=org_ids).values_list(
        "organization_id", "occurred_on"
    ):
        dates[org_id].append(day)
    for org_id, day in ActivityReport.objects.filter(organization_id__in=org_ids).values_list(
        "organization_id", "starts_on"
    ):
        dates[org_id].append(day)
    return dates


def uncontactable_ids(org_ids: list[int]) -> set[int]:
    """Organisations with an unresolved "cannot be contacted" credit fact."""
    from npohub.credit.models import CreditFact

    return set(
        CreditFact.objects.filter(organization_id__in=org_ids, kind="cannot_contact")
        .filter(resolved_on__isnull=True)
        .values_list("organization_id", flat=True)
    )


def dormant_criteria(
    orgs: Iterable[Organization], criteria: Criteria
) -> dict[int, tuple[list[str], dict[str, Any]]]:
    """Which of the four criteria each organisation meets, with the facts behind each.

    "No annual report" needs every year of the window to be one the platform holds reports
    for: a year before the platform's first report year (supervision's ``first_report_year``,
    as for the rule-25 proposals) is not a missed year, so while the platform holds no report
    at all, or only from a later year, nobody meets it."""
    from npohub.supervision.selectors import report_years_filed

    orgs = [o for o in orgs if o.registration_date is not None]
    ids = [o.pk for o in orgs]
    years = list(criteria.report_years)
    filed = report_years_filed(ids, years) if years else {}
    activities = activity_dates(ids)
    unreachable = uncontactable_ids(ids)
    first_year = first_report_years()
    found: dict[int, tuple[list[str], dict[str, Any]]] = {}
    for org in orgs:
        registered = org.registration_date
        assert registered is not None
        met: list[str] = []
        details: dict[str, Any] = {}
        days = sorted(activities.get(org.pk, []))
        first = first_year(org) if years else None
        judged = first is not None and years[0] >= first
        if judged and registered <= dt.date(years[0], 6, 30) and not filed.get(org.pk):
            met.append("no_annual_report")
            details["no_annual_report"] = years
        window_end = registered + dt.timedelta(days=criteria.first_activity_days)
        if window_end <= criteria.on and not any(registered <= d <= window_end for d in days):
            met.append("no_first_year_activity")
            details["no_first_year_activity"] = window_end.isoformat()
        since = criteria.no_activity_since
        if registered < since <= criteria.on and not any(d >= since for d in days):
            met.append("no_activity_since")
            details["no_activity_since"] = {
                "since": since.isoformat(),
                "last": days[-1].isoformat() if days else None,
            }
        if org.pk in unreachable:
            met.append("cannot_contact")
        if met:
            found[org.pk] = (met, details)
    return found


@transaction.atomic
def campaign_create(
    *,
    actor: User,
    name: str,
    region: Region,
    started_on: dt.date | None = None,
    report_years: list[int] | None = None,
    no_activity_since: dt.date | None = None,
    first_activity_days: int | None = None,
) -> DormantCampaign:
    """Start a clean-up campaign in the bureau's region (parameters default to the policy)."""
    require(can_manage_campaign(actor, region.code))
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写行动名称"), details={"name": _("必填")})
    started_on = started_on or timezone.localdate()
    defaults = default_criteria(region.code, started_on)
    years = sorted({int(y) for y in (report_years or defaults.report_years)})
    if any(y > started_on.year for y in years):
        raise ValidationFailed(
            _("年报年度不能晚于行动开始年份"), details={"report_years": _("无效")}
        )
    since = no_activity_since or defaults.no_activity_since
    if since > started_on:
        raise ValidationFailed(
            _("未开展活动的起算日期不能晚于行动开始日期"),
            details={"no_activity_since": _("无效")},
        )
    campaign = DormantCampaign.objects.create(
        name=name[:200],
        region=region,
        started_on=started_on,
        report_years=years,
        no_activity_since=since,
        first_activity_days=first_activity_days or defaults.first_activity_days,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        kind="enforcement.campaign_created",
        target=campaign,
        payload={"years": years, "since": since.isoformat(), "region": region.code},
        region_code=region.code,
    )
    return campaign


def _require_open(campaign: DormantCampaign) -> None:
    if campaign.is_closed:
        raise InvalidTransition(_("清理行动已结束"), details={"campaign": campaign.pk})


@transaction.atomic
def campaign_scan(*, actor: User, campaign: DormantCampaign, today: dt.date | None = None) -> int:
    """Find the candidates in the campaign's region (registered, open organisations): new
    matches are added, pending ones get their criteria refreshed. Returns the candidates found."""
    require(can_manage_campaign(actor, campaign.region.code))
    _require_open(campaign)
    today = today or timezone.localdate()
    prefix = prefix_of(campaign.region.code)
    orgs = list(
        Organization.objects.registered()
        .exclude(status__in=CLOSED_STATUSES)
        .filter(address_code__startswith=prefix, registration_date__lte=today)
    )
    criteria = Criteria(
        report_years=tuple(campaign.report_years),
        no_activity_since=campaign.no_activity_since,
        first_activity_days=campaign.first_activity_days,
        on=today,
    )
    found = dormant_criteria(orgs, criteria)
    existing = {c.organization_id: c for c in campaign.candidates.all()}
    new = []
    for org_id, (met, details) in found.items():
        candidate = existing.get(org_id)
        if candidate is None:
            new.append(
                DormantCandidate(
                    campaign=campaign, organization_id=org_id, criteria=met, details=details
                )
            )
        elif candidate.outcome == "pending":
            candidate.criteria, candidate.details = met, details
            candidate.save(update_fields=["criteria", "details", "updated_at"])
    DormantCandidate.objects.bulk_create(new)
    campaign.last_scanned_on = today
    campaign.save(update_fields=["last_scanned_on", "updated_at"])
    audit_record(
        actor=actor,
        kind="enforcement.campaign_scanned",
        target=campaign,
        payload={"found": len(found), "new": len(new), "on": today.isoformat()},
        region_code=campaign.region.code,
    )
    return len(found)


@transaction.atomic
def candidate_contact_record(
    *,
    actor: User,
    candidate: DormantCandidate,
    sent_on: dt.date,
    signed: bool,
    returned_on: dt.date | None = None,
    note: str = "",
) -> DormantCandidate:
    """Record a registered letter to the candidate (through credit's contact records); two
    unsigned letters make it "cannot be contacted" (a credit fact) and add the criterion."""
    from npohub.credit.services import contact_attempt_record

    require(can_manage_campaign(actor, candidate.campaign.region.code))
    _require_open(candidate.campaign)
    contact_attempt_record(
        actor=actor,
        organization=candidate.organization,
        method="letter",
        sent_on=sent_on,
        signed=signed,
        returned_on=returned_on,
        note=note or candidate.campaign.name,
    )
    if "cannot_contact" not in candidate.criteria and candidate.organization_id in (
        uncontactable_ids([candidate.organization_id])
    ):
        candidate.criteria = [*candidate.criteria, "cannot_contact"]
        candidate.save(update_fields=["criteria", "updated_at"])
    audit_record(
        actor=actor,
        kind="enforcement.candidate_contacted",
        target=candidate,
        payload={"sent_on": sent_on.isoformat(), "signed": signed},
        organization_id=candidate.organization_id,
        region_code=candidate.organization.address_code,
    )
    return candidate


@transaction.atomic
def activity_evidence_add(
    *, actor: User, candidate: DormantCandidate, occurred_on: dt.date, description: str
) -> ActivityEvidence:
    """Record evidence that a candidate did carry out an activity (verification, rectification)."""
    require(can_manage_campaign(actor, candidate.campaign.region.code))
    description = (description or "").strip()
    if not description:
        raise ValidationFailed(_("请填写活动情况"), details={"description": _("必填")})
    if occurred_on > timezone.localdate():
        raise ValidationFailed(_("活动日期不能晚于今天"), details={"occurred_on": _("无效")})
    evidence = ActivityEvidence.objects.create(
        organization=candidate.organization,
        occurred_on=occurred_on,
        description=description[:300],
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        kind="enforcement.activity_recorded",
        target=candidate,
        payload={"occurred_on": occurred_on.isoformat()},
        organization_id=candidate.organization_id,
        region_code=candidate.organization.address_code,
    )
    return evidence


def _start_deregistration(
    actor: User, candidate: DormantCandidate, note: str
) -> Application | None:
    """A draft deregistration application in the registration workflow (the organisation
    completes it with its liquidation report), when the registration rules allow one."""
    from npohub.registration.services import application_create

    try:
        with transaction.atomic():
            return application_create(
                actor=actor,
                kind="deregistration",
                organization=candidate.organization,
                data={"reason": note},
            )
    except DomainError:
        return None


def _open_revocation(
    actor: User, candidate: DormantCandidate, note: str, today: dt.date
) -> PenaltyCase:
    org = candidate.organization
    labels = [str(_label) for _label in _criteria_labels(candidate.criteria)]
    case = _create_case(
        actor=actor,
        organization=org,
        title=_("僵尸型社会组织清理：%(criteria)s") % {"criteria": "；".join(labels)},
        facts=note,
        state=PS.FILED,
        source="dormant",
        source_ref=f"dormant:{candidate.campaign_id}:{org.pk}",
        today=today,
    )
    Sanction.objects.create(
        case=case,
        kind=_revocation_kind(case),
        legal_basis=str(LEGAL_BASES[case.basis_key].label),
        note=candidate.campaign.name[:200],
    )
    return case


def _criteria_labels(codes: list[str]) -> list[str]:
    from .workflows import DORMANT_CRITERIA

    return [str(DORMANT_CRITERIA.get(c, c)) for c in codes]


@transaction.atomic
def candidate_outcome_set(
    *,
    actor: User,
    candidate: DormantCandidate,
    outcome: str,
    note: str,
    today: dt.date | None = None,
) -> DormantCandidate:
    """Decide what becomes of a candidate: rectified, guided to deregister (a draft
    deregistration application), or revoked (a penalty case is opened)."""
    candidate = (
        DormantCandidate.objects.select_for_update(of=("self",))
        .select_related("campaign__region", "organization__authority_region")
        .get(pk=candidate.pk)
    )
    require(can_manage_campaign(actor, candidate.campaign.region.code))
    _require_open(candidate.campaign)
    if outcome not in DORMANT_OUTCOMES or outcome == "pending":
        raise ValidationFailed(
            _("未知的处置结果“%(outcome)s”") % {"outcome": outcome}, details={"outcome": _("无效")}
        )
    if candidate.outcome != "pending":
        raise InvalidTransition(
            _("该组织已处置（%(outcome)s）") % {"outcome": DORMANT_OUTCOMES[candidate.outcome]},
            details={"outcome": candidate.outcome},
        )
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("请填写处置说明"), details={"note": _("必填")})
    today = today or timezone.localdate()
    if outcome == "deregistered":
        candidate.deregistration = _start_deregistration(actor, candidate, note)
    if outcome == "revoked":
        case: PenaltyCase = _open_revocation(actor, candidate, note, today)
        candidate.penalty_case = case
    candidate.outcome, candidate.outcome_note, candidate.outcome_on = outcome, note, today
    candidate.save()
    audit_record(
        actor=actor,
        kind="enforcement.candidate_outcome",
        target=candidate,
        payload={
            "outcome": outcome,
            "case": candidate.penalty_case.number if candidate.penalty_case else None,
            "application": candidate.deregistration_id,
        },
        organization_id=candidate.organization_id,
        region_code=candidate.organization.address_code,
    )
    return candidate


@transaction.atomic
def campaign_close(*, actor: User, campaign: DormantCampaign) -> DormantCampaign:
    """End a campaign (its candidates and outcomes stay as the record)."""
    require(can_manage_campaign(actor, campaign.region.code))
    _require_open(campaign)
    campaign.is_closed = True
    campaign.save(update_fields=["is_closed", "updated_at"])
    audit_record(
        actor=actor,
        kind="enforcement.campaign_closed",
        target=campaign,
        payload={},
        region_code=campaign.region.code,
    )
    return campaign
