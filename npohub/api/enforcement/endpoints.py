"""/api/v1/enforcement/: one operation per endpoint; thin (selector or one service, render).

Fetch with the scoped selector (missing and forbidden are the same 404), call one enforcement
service, render. Refusals are ``DomainError``s, turned into ``{code, message, details}``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from npohub.accounts.models import User
from npohub.core.errors import NotFound, ValidationFailed
from npohub.enforcement import dormant, services
from npohub.enforcement.models import (
    Complaint,
    ComplaintCategory,
    DormantCampaign,
    DormantCandidate,
    PenaltyCase,
)
from npohub.enforcement.permissions import case_view, complaint_view
from npohub.enforcement.policy import policy_for
from npohub.enforcement.selectors import (
    CaseFilters,
    ComplaintFilters,
    campaign_get_for,
    campaign_list_for,
    candidate_get_for,
    candidates_of,
    case_get_for,
    case_list_for,
    closure_statistics_for,
    complaint_get_for,
    complaint_list_for,
    complaint_notes_of,
    history_of,
    sanction_get_for,
)
from npohub.enforcement.workflows import (
    CASE_SOURCES,
    CASE_STATES,
    CASE_TRANSITIONS,
    COMPLAINT_STATES,
    COMPLAINT_TRANSITIONS,
    DORMANT_CRITERIA,
    DORMANT_OUTCOMES,
    LEGAL_BASES,
    PENALTY_TYPES,
    Transition,
    case_state_label,
    complaint_state_label,
)
from npohub.orgs.selectors import organization_get_for
from npohub.regions.models import Region

from ..history import history_out, move_out
from ..pagination import Page, PageParams, paginate
from ..request import api_user
from .schemas import (
    ActivityIn,
    AssignIn,
    CampaignDetailOut,
    CampaignIn,
    CampaignOut,
    CaseCreateIn,
    CaseDetailOut,
    CaseFilterIn,
    CaseOut,
    ComplaintDetailOut,
    ComplaintFilterIn,
    ComplaintOut,
    ContactIn,
    EnforcementTransitionIn,
    EnforcementWorkflowOut,
    ErrorOut,
    LinkCaseIn,
    NoteIn,
    OutcomeIn,
    PaymentIn,
    PenaltyTypesOut,
    ProposeIn,
    ProposeOut,
    SanctionIn,
    ScanOut,
    StatisticsIn,
    StatisticsOut,
)

router = Router(tags=["enforcement"])

ERRORS: dict[int, Any] = dict.fromkeys((401, 403, 404, 409, 422), ErrorOut)


# --- rendering ---------------------------------------------------------------------------------


def complaint_of(c: Complaint) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "id": c.pk,
        "number": c.number,
        "state": c.state,
        "state_label": complaint_state_label(c.state),
        "category": c.category,
        "category_label": str(ComplaintCategory(c.category).label),
        "organization_id": c.organization_id,
        "organization": c.organization_label,
        "region_code": c.region_code,
        "received_on": c.received_on,
        "reply_due_on": c.reply_due_on,
        "is_overdue": c.is_overdue(today),
        "assignee": str(c.assignee) if c.assignee_id else None,
        "penalty_case_id": c.penalty_case_id,
    }


def complaint_detail_of(user: User, c: Complaint) -> dict[str, Any]:
    """One complaint as ``complaint_view`` lets the caller see it (the page reads it too)."""
    view = complaint_view(user, c)
    return {
        **complaint_of(c),
        "complainant_name": c.complainant_name,
        "contact": view.contact(c),
        "personal_data_masked": not view.sees_personal_data,
        "description": c.description,
        "decision_note": c.decision_note,
        "transferred_to": c.transferred_to,
        "reply": c.reply,
        "replied_on": c.replied_on,
        "closed_on": c.closed_on,
        "notes": [
            {"author": str(n.author), "text": n.text, "created_at": n.created_at}
            for n in complaint_notes_of(c)
        ],
        "history": [history_out(h) for h in history_of(complaint=c)],
        "moves": [move_out(m) for m in services.COMPLAINT_WORKFLOW.moves_for(user, c)],
    }


def case_of(case: PenaltyCase) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "state": case.state,
        "state_label": case_state_label(case.state),
        "organization_id": case.organization_id,
        "organization": case.organization.name,
        "title": case.title,
        "source": case.source,
        "source_label": str(CASE_SOURCES.get(case.source, case.source)),
        "filed_on": case.filed_on,
        "decided_on": case.decided_on,
    }


def case_detail_of(user: User, case: PenaltyCase) -> dict[str, Any]:
    """One case as ``case_view`` lets the caller see it (the page reads it too)."""
    view = case_view(user, case)
    fine = case.fine_total()
    rate = policy_for(case.organization.address_code)["late_fee_rate_per_day"]
    return {
        **case_of(case),
        "facts": case.facts,
        "legal_basis": str(LEGAL_BASES[case.basis_key].label),
        "decision_number": case.decision_number,
        "notified_on": case.notified_on,
        "statement_due_on": case.statement_due_on,
        "service_due_on": case.service_due_on,
        "served_on": case.served_on,
        "payment_due_on": case.payment_due_on,
        "paid_on": case.paid_on,
        "paid_amount": case.paid_amount,
        "fine_total": fine,
        "late_fee_today": case.late_fee(timezone.localdate(), rate=rate, fine=fine),
        "closed_on": case.closed_on,
        "sanctions": [
            {
                "id": s.pk,
                "kind": s.kind,
                "kind_label": str(PENALTY_TYPES[s.kind].label),
                "legal_basis": s.legal_basis,
                "amount": s.amount,
                "fine_basis": s.fine_basis,
                "basis_amount": s.basis_amount,
                "suspend_until": s.suspend_until,
                "person_name": s.person_name,
                "person_id_number": view.person_id_number(s),
                "note": s.note,
            }
            for s in case.sanctions.all()
        ],
        "personal_data_masked": not view.sees_personal_data,
        "editable": view.editable,
        "history": [history_out(h) for h in history_of(case=case)],
        "moves": [move_out(m) for m in services.CASE_WORKFLOW.moves_for(user, case)],
    }


def _fresh_case(user: User, pk: int) -> dict[str, Any]:
    return case_detail_of(user, case_get_for(user, pk))


def campaign_of(c: DormantCampaign) -> dict[str, Any]:
    return {
        "id": c.pk,
        "name": c.name,
        "region_code": c.region.code,
        "region": c.region.name,
        "started_on": c.started_on,
        "report_years": c.report_years,
        "no_activity_since": c.no_activity_since,
        "first_activity_days": c.first_activity_days,
        "is_closed": c.is_closed,
        "last_scanned_on": c.last_scanned_on,
    }


def candidate_of(c: DormantCandidate) -> dict[str, Any]:
    return {
        "id": c.pk,
        "organization_id": c.organization_id,
        "organization": c.organization.name,
        "criteria": [{"code": k, "name": str(DORMANT_CRITERIA.get(k, k))} for k in c.criteria],
        "outcome": c.outcome,
        "outcome_label": str(DORMANT_OUTCOMES.get(c.outcome, c.outcome)),
        "outcome_note": c.outcome_note,
        "outcome_on": c.outcome_on,
        "penalty_case_id": c.penalty_case_id,
        "deregistration_id": c.deregistration_id,
    }


def _transitions(table: tuple[Transition, ...]) -> list[dict[str, Any]]:
    return [
        {
            "name": t.name,
            "label": str(t.label),
            "sources": sorted(t.sources),
            "target": t.target,
            "capacity": t.capacity,
            "needs_note": t.needs_note,
            "guards": list(t.guards),
            "effect": t.effect,
        }
        for t in table
    ]


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: message})


# --- complaints --------------------------------------------------------------------------------


@router.get(
    "/complaints",
    response={200: Page[ComplaintOut], **ERRORS},
    operation_id="enforcement_complaints_list",
)
def complaint_list(
    request: HttpRequest, filters: Query[ComplaintFilterIn], page: Query[PageParams]
) -> dict[str, Any]:
    """Complaints of the caller's region and those assigned to the caller."""
    user = api_user(request)
    qs = complaint_list_for(
        user,
        ComplaintFilters(
            state=filters.state,
            category=filters.category,
            overdue=filters.overdue,
            open_only=filters.open_only,
            mine=filters.mine,
            q=filters.q,
        ),
    )
    return paginate(request, qs, page, render=complaint_of)


@router.get(
    "/complaints/{int:complaint_id}",
    response={200: ComplaintDetailOut, **ERRORS},
    operation_id="enforcement_complaints_detail",
)
def complaint_detail(request: HttpRequest, complaint_id: int) -> dict[str, Any]:
    user = api_user(request)
    return complaint_detail_of(user, complaint_get_for(user, complaint_id))


@router.post(
    "/complaints/{int:complaint_id}/transitions",
    response={200: ComplaintDetailOut, **ERRORS},
    operation_id="enforcement_complaints_transition",
)
def complaint_transition(
    request: HttpRequest, complaint_id: int, payload: EnforcementTransitionIn
) -> dict[str, Any]:
    """Accept, not accept, transfer, investigate, reply (``note`` = the reply), close."""
    user = api_user(request)
    c = complaint_get_for(user, complaint_id)
    services.complaint_transition(
        actor=user,
        complaint=c,
        transition=payload.transition,
        note=payload.note,
        transferred_to=payload.transferred_to,
    )
    return complaint_detail_of(user, complaint_get_for(user, complaint_id))


@router.post(
    "/complaints/{int:complaint_id}/assign",
    response={200: ComplaintDetailOut, **ERRORS},
    operation_id="enforcement_complaints_assign",
)
def complaint_assign(request: HttpRequest, complaint_id: int, payload: AssignIn) -> dict[str, Any]:
    user = api_user(request)
    c = complaint_get_for(user, complaint_id)
    assignee = User.objects.filter(pk=payload.assignee_id).first()
    services.complaint_assign(actor=user, complaint=c, assignee=assignee)
    return complaint_detail_of(user, complaint_get_for(user, complaint_id))


@router.post(
    "/complaints/{int:complaint_id}/notes",
    response={201: ComplaintDetailOut, **ERRORS},
    operation_id="enforcement_complaints_note",
)
def complaint_note(request: HttpRequest, complaint_id: int, payload: NoteIn) -> Status[Any]:
    user = api_user(request)
    c = complaint_get_for(user, complaint_id)
    services.complaint_note_add(actor=user, complaint=c, text=payload.text)
    return Status(201, complaint_detail_of(user, complaint_get_for(user, complaint_id)))


@router.post(
    "/complaints/{int:complaint_id}/case",
    response={200: ComplaintDetailOut, **ERRORS},
    operation_id="enforcement_complaints_link_case",
)
def complaint_link(request: HttpRequest, complaint_id: int, payload: LinkCaseIn) -> dict[str, Any]:
    user = api_user(request)
    c = complaint_get_for(user, complaint_id)
    case = case_get_for(user, payload.case_id)
    services.complaint_link_case(actor=user, complaint=c, case=case)
    return complaint_detail_of(user, complaint_get_for(user, complaint_id))


# --- penalty cases -----------------------------------------------------------------------------


@router.get(
    "/cases", response={200: Page[CaseOut], **ERRORS}, operation_id="enforcement_cases_list"
)
def case_list(
    request: HttpRequest, filters: Query[CaseFilterIn], page: Query[PageParams]
) -> dict[str, Any]:
    user = api_user(request)
    qs = case_list_for(
        user,
        CaseFilters(
            state=filters.state, source=filters.source, open_only=filters.open_only, q=filters.q
        ),
    )
    return paginate(request, qs, page, render=case_of)


@router.post(
    "/cases", response={201: CaseDetailOut, **ERRORS}, operation_id="enforcement_cases_create"
)
def case_create(request: HttpRequest, payload: CaseCreateIn) -> Status[Any]:
    """Open (立案) a case against an organisation in the caller's region."""
    user = api_user(request)
    org = organization_get_for(user, payload.organization_id)
    complaint = None
    if payload.complaint_id is not None:
        try:
            complaint = complaint_get_for(user, payload.complaint_id)
        except NotFound:
            raise _invalid("complaint_id", _("投诉举报不存在")) from None
    case = services.case_open(
        actor=user,
        organization=org,
        title=payload.title,
        facts=payload.facts,
        complaint=complaint,
    )
    return Status(201, _fresh_case(user, case.pk))


@router.post(
    "/cases/propose-missing-reports",
    response={200: ProposeOut, **ERRORS},
    operation_id="enforcement_cases_propose_missing_reports",
)
def case_propose(request: HttpRequest, payload: ProposeIn) -> dict[str, Any]:
    """Rule 25: propose revocation cases for N consecutive years without an annual report."""
    user = api_user(request)
    found = services.case_propose_missing_reports(actor=user, region_prefix=payload.region_prefix)
    return {"cases": [case_of(c) for c in found]}


@router.get(
    "/cases/{int:case_id}",
    response={200: CaseDetailOut, **ERRORS},
    operation_id="enforcement_cases_detail",
)
def case_detail(request: HttpRequest, case_id: int) -> dict[str, Any]:
    user = api_user(request)
    return _fresh_case(user, case_id)


@router.post(
    "/cases/{int:case_id}/transitions",
    response={200: CaseDetailOut, **ERRORS},
    operation_id="enforcement_cases_transition",
)
def case_transition(
    request: HttpRequest, case_id: int, payload: EnforcementTransitionIn
) -> dict[str, Any]:
    """立案/调查/告知/听证/决定/送达/结案; a decision applies its effects."""
    user = api_user(request)
    case = case_get_for(user, case_id)
    services.case_transition(
        actor=user,
        case=case,
        transition=payload.transition,
        note=payload.note,
        decision_number=payload.decision_number,
    )
    return _fresh_case(user, case_id)


@router.post(
    "/cases/{int:case_id}/sanctions",
    response={201: CaseDetailOut, **ERRORS},
    operation_id="enforcement_sanctions_add",
)
def sanction_add(request: HttpRequest, case_id: int, payload: SanctionIn) -> Status[Any]:
    """Propose a penalty (type allowed by the legal basis, fines within the legal limits)."""
    user = api_user(request)
    case = case_get_for(user, case_id)
    services.sanction_add(actor=user, case=case, **payload.dict())
    return Status(201, _fresh_case(user, case_id))


@router.delete(
    "/sanctions/{int:sanction_id}",
    response={204: None, **ERRORS},
    operation_id="enforcement_sanctions_remove",
)
def sanction_remove(request: HttpRequest, sanction_id: int) -> Status[Any]:
    user = api_user(request)
    services.sanction_remove(actor=user, sanction=sanction_get_for(user, sanction_id))
    return Status(204, None)


@router.post(
    "/cases/{int:case_id}/payment",
    response={200: CaseDetailOut, **ERRORS},
    operation_id="enforcement_cases_payment",
)
def case_payment(request: HttpRequest, case_id: int, payload: PaymentIn) -> dict[str, Any]:
    """Record the payment: the fine plus the late fee owed on the payment date."""
    user = api_user(request)
    case = case_get_for(user, case_id)
    services.case_payment_record(
        actor=user, case=case, paid_on=payload.paid_on, amount=payload.amount
    )
    return _fresh_case(user, case_id)


@router.post(
    "/cases/{int:case_id}/lift-suspension",
    response={200: CaseDetailOut, **ERRORS},
    operation_id="enforcement_cases_lift_suspension",
)
def case_lift(request: HttpRequest, case_id: int) -> dict[str, Any]:
    user = api_user(request)
    case = case_get_for(user, case_id)
    services.case_lift_suspension(actor=user, case=case)
    return _fresh_case(user, case_id)


@router.get(
    "/workflows",
    response={200: list[EnforcementWorkflowOut], **ERRORS},
    operation_id="enforcement_workflows",
)
def workflows(request: HttpRequest) -> list[dict[str, Any]]:
    """The complaint and penalty-case workflows as data."""
    return [
        {
            "kind": "complaint",
            "states": [{"code": k, "name": str(v)} for k, v in COMPLAINT_STATES.items()],
            "transitions": _transitions(COMPLAINT_TRANSITIONS),
        },
        {
            "kind": "penalty_case",
            "states": [{"code": k, "name": str(v)} for k, v in CASE_STATES.items()],
            "transitions": _transitions(CASE_TRANSITIONS),
        },
    ]


@router.get(
    "/penalty-types",
    response={200: PenaltyTypesOut, **ERRORS},
    operation_id="enforcement_penalty_types",
)
def penalty_types(request: HttpRequest) -> dict[str, Any]:
    """Penalty types and, per legal basis, the types it allows and its fine limits."""
    policy = policy_for()
    t_low, t_high = policy["fine_turnover_multiples"]
    g_low, g_high = policy["fine_gains_multiples"]
    p_low, p_high = policy["charity_person_fine_range"]
    limits = {
        True: _("违法经营额的 %(a)s–%(b)s 倍，或违法所得的 %(c)s–%(d)s 倍")
        % {"a": f"{t_low:g}", "b": f"{t_high:g}", "c": f"{g_low:g}", "d": f"{g_high:g}"},
        False: "",
    }
    return {
        "types": [{"code": k, "name": str(p.label)} for k, p in PENALTY_TYPES.items()],
        "bases": [
            {
                "key": b.key,
                "provision": str(b.label),
                "penalty_kinds": sorted(b.kinds),
                "fine_limits": limits[b.fine_multiples]
                or (
                    _("对直接负责的主管人员 %(low)s–%(high)s 元") % {"low": p_low, "high": p_high}
                    if b.key == "charity"
                    else ""
                ),
            }
            for b in LEGAL_BASES.values()
        ],
    }


# --- dormant campaigns and statistics ----------------------------------------------------------


@router.get(
    "/campaigns",
    response={200: Page[CampaignOut], **ERRORS},
    operation_id="enforcement_campaigns_list",
)
def campaign_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    user = api_user(request)
    return paginate(request, campaign_list_for(user), page, render=campaign_of)


@router.post(
    "/campaigns",
    response={201: CampaignDetailOut, **ERRORS},
    operation_id="enforcement_campaigns_create",
)
def campaign_create(request: HttpRequest, payload: CampaignIn) -> Status[Any]:
    user = api_user(request)
    region = Region.objects.filter(code=payload.region_code.strip().ljust(12, "0")).first()
    if region is None:
        raise _invalid("region_code", _("未知的区划代码"))
    campaign = dormant.campaign_create(
        actor=user,
        name=payload.name,
        region=region,
        started_on=payload.started_on,
        report_years=payload.report_years,
        no_activity_since=payload.no_activity_since,
        first_activity_days=payload.first_activity_days,
    )
    return Status(201, {**campaign_of(campaign), "candidates": []})


def _campaign_detail(user: User, pk: int) -> dict[str, Any]:
    campaign = campaign_get_for(user, pk)
    return {
        **campaign_of(campaign),
        "candidates": [candidate_of(c) for c in candidates_of(campaign)],
    }


@router.get(
    "/campaigns/{int:campaign_id}",
    response={200: CampaignDetailOut, **ERRORS},
    operation_id="enforcement_campaigns_detail",
)
def campaign_detail(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    user = api_user(request)
    return _campaign_detail(user, campaign_id)


@router.post(
    "/campaigns/{int:campaign_id}/scan",
    response={200: ScanOut, **ERRORS},
    operation_id="enforcement_campaigns_scan",
)
def campaign_scan(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    """Find the candidates meeting any of the four criteria in the campaign's region."""
    user = api_user(request)
    campaign = campaign_get_for(user, campaign_id)
    return {"found": dormant.campaign_scan(actor=user, campaign=campaign)}


@router.post(
    "/campaigns/{int:campaign_id}/close",
    response={200: CampaignDetailOut, **ERRORS},
    operation_id="enforcement_campaigns_close",
)
def campaign_close(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    user = api_user(request)
    dormant.campaign_close(actor=user, campaign=campaign_get_for(user, campaign_id))
    return _campaign_detail(user, campaign_id)


@router.post(
    "/candidates/{int:candidate_id}/contacts",
    response={200: CampaignDetailOut, **ERRORS},
    operation_id="enforcement_candidates_contact",
)
def candidate_contact(request: HttpRequest, candidate_id: int, payload: ContactIn) -> Any:
    """A registered letter; two unsigned ones make it "cannot be contacted" (credit)."""
    user = api_user(request)
    candidate = candidate_get_for(user, candidate_id)
    dormant.candidate_contact_record(actor=user, candidate=candidate, **payload.dict())
    return _campaign_detail(user, candidate.campaign_id)


@router.post(
    "/candidates/{int:candidate_id}/activities",
    response={200: CampaignDetailOut, **ERRORS},
    operation_id="enforcement_candidates_activity",
)
def candidate_activity(request: HttpRequest, candidate_id: int, payload: ActivityIn) -> Any:
    user = api_user(request)
    candidate = candidate_get_for(user, candidate_id)
    dormant.activity_evidence_add(actor=user, candidate=candidate, **payload.dict())
    return _campaign_detail(user, candidate.campaign_id)


@router.post(
    "/candidates/{int:candidate_id}/outcome",
    response={200: CampaignDetailOut, **ERRORS},
    operation_id="enforcement_candidates_outcome",
)
def candidate_outcome(request: HttpRequest, candidate_id: int, payload: OutcomeIn) -> Any:
    """Rectified, deregistered (a draft deregistration application) or revoked (a case)."""
    user = api_user(request)
    candidate = candidate_get_for(user, candidate_id)
    dormant.candidate_outcome_set(
        actor=user, candidate=candidate, outcome=payload.outcome, note=payload.note
    )
    return _campaign_detail(user, candidate.campaign_id)


@router.get(
    "/statistics/closures",
    response={200: StatisticsOut, **ERRORS},
    operation_id="enforcement_statistics_closures",
)
def statistics(request: HttpRequest, params: Query[StatisticsIn]) -> dict[str, Any]:
    """Deregistered and revoked organisations since a date, by management level."""
    user = api_user(request)
    rows = closure_statistics_for(user, since=params.since, region_prefix=params.region_prefix)
    return {
        "since": params.since,
        "rows": [
            {
                "level": r.level,
                "label": r.label,
                "deregistered": r.deregistered,
                "revoked": r.revoked,
                "total": r.total,
            }
            for r in rows
        ],
        "deregistered": sum(r.deregistered for r in rows),
        "revoked": sum(r.revoked for r in rows),
    }
