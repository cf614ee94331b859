"""Reading complaints, cases, campaigns and closure statistics, always in the user's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.charts import month_starts
from npohub.core.errors import NotFound
from npohub.core.workflows import HistoryRow, history_for
from npohub.orgs.models import CLOSED_STATUSES, AccessReason, ManagementLevel, Status
from npohub.orgs.scope import region_users, scope_of
from npohub.orgs.selectors import organization_visible_to

from .models import (
    Complaint,
    ComplaintCategory,
    ComplaintNote,
    DormantCampaign,
    DormantCandidate,
    PenaltyCase,
    Sanction,
)
from .permissions import ASSIGNABLE_ROLES, Viewer
from .workflows import COMPLAINT_WAITING, CS, PS

# Cases the organisation itself may read: from the prior notice on.
ORG_VISIBLE_CASE_STATES = frozenset({PS.NOTIFIED, PS.HEARING, PS.DECIDED, PS.EXECUTING, PS.CLOSED})


# --- complaints ---------------------------------------------------------------------------------


@dataclass
class ComplaintFilters:
    state: str = ""
    category: str = ""
    overdue: bool = False
    open_only: bool = False
    mine: bool = False
    q: str = ""


def complaint_scope_q(user: Viewer) -> Q:
    """Complaints of the bureau's region, plus those assigned to the user."""
    scope = scope_of(user)
    if scope.user is None:
        return Q(pk__in=[])
    prefix = scope.bureau_prefix
    q = Q(assignee_id=scope.user.pk)
    if prefix is not None:
        q |= Q(region_code__startswith=prefix)
    return q


def complaint_list_for(
    user: Viewer, filters: ComplaintFilters | None = None, *, today: dt.date | None = None
) -> QuerySet[Complaint]:
    """The complaints the user may see, filtered, overdue ones first among the waiting."""
    f = filters or ComplaintFilters()
    today = today or timezone.localdate()
    qs = Complaint.objects.filter(complaint_scope_q(user)).select_related(
        "organization", "assignee"
    )
    if f.state:
        qs = qs.filter(state=f.state)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.open_only:
        qs = qs.filter(state__in=[*COMPLAINT_WAITING, CS.REPLIED])
    if f.overdue:
        qs = qs.filter(state__in=COMPLAINT_WAITING, reply_due_on__lt=today)
    if f.mine:
        me = scope_of(user).user
        qs = qs.filter(assignee_id=me.pk if me is not None else None)
    if f.q:
        qs = qs.filter(
            Q(number__startswith=f.q.upper())
            | Q(organization__name__contains=f.q)
            | Q(organization_text__contains=f.q)
        )
    return qs.order_by("reply_due_on", "-id") if f.open_only or f.overdue else qs


def complaint_get_for(user: Viewer, pk: int) -> Complaint:
    """One complaint the user may see (NotFound for missing and forbidden alike)."""
    complaint = (
        Complaint.objects.filter(complaint_scope_q(user))
        .select_related("organization", "assignee", "penalty_case")
        .filter(pk=pk)
        .first()
    )
    if complaint is None:
        raise NotFound(_("投诉举报不存在"))
    return complaint


def complaint_by_number(number: str) -> Complaint | None:
    """The public lookup: one complaint by its (unguessable) tracking number."""
    number = (number or "").strip().upper()
    if not number.startswith("TS") or len(number) > 24:
        return None
    return Complaint.objects.filter(number=number).first()


def complaint_notes_of(complaint: Complaint) -> QuerySet[ComplaintNote]:
    return complaint.notes.select_related("author").order_by("created_at", "id")


def history_of(
    *, complaint: Complaint | None = None, case: PenaltyCase | None = None
) -> list[HistoryRow]:
    """The history of a complaint or a case, oldest first, every state and move as a label."""
    from .services import CASE_WORKFLOW, COMPLAINT_WORKFLOW

    if complaint is not None:
        return history_for(COMPLAINT_WORKFLOW, complaint)
    assert case is not None
    return history_for(CASE_WORKFLOW, case)


def assignable_users_for(complaint: Complaint) -> QuerySet[User]:
    """Active bureau and street staff whose region covers the complaint's place."""
    return region_users(complaint.region_code, roles=ASSIGNABLE_ROLES).order_by("role", "username")


# --- penalty cases ------------------------------------------------------------------------------


@dataclass
class CaseFilters:
    state: str = ""
    source: str = ""
    open_only: bool = False
    q: str = ""


def case_scope_q(user: Viewer) -> Q:
    """Bureau: cases of organisations in its region (place or registering authority); the
    organisation itself (its accounts' grants valid today): its cases from the prior notice on."""
    scope = scope_of(user)
    if not scope.signed_in:
        return Q(pk__in=[])
    prefix = scope.bureau_prefix
    if prefix == "":
        return Q()
    own = scope.granted_ids(reason=AccessReason.OWN)
    q = Q(organization_id__in=own, state__in=ORG_VISIBLE_CASE_STATES)
    if prefix:
        q |= Q(organization__address_code__startswith=prefix) | Q(
            organization__authority_region__code__startswith=prefix
        )
    return q


def case_list_for(user: Viewer, filters: CaseFilters | None = None) -> QuerySet[PenaltyCase]:
    f = filters or CaseFilters()
    qs = PenaltyCase.objects.filter(case_scope_q(user)).select_related("organization")
    if f.state:
        qs = qs.filter(state=f.state)
    if f.source:
        qs = qs.filter(source=f.source)
    if f.open_only:
        qs = qs.exclude(state__in=(PS.CLOSED, PS.DROPPED))
    if f.q:
        qs = qs.filter(Q(number__startswith=f.q.upper()) | Q(organization__name__contains=f.q))
    return qs.order_by("-created_at", "-id")


def case_get_for(user: Viewer, pk: int) -> PenaltyCase:
    case = (
        PenaltyCase.objects.filter(case_scope_q(user))
        .select_related("organization", "organization__authority_region", "opened_by")
        .prefetch_related("sanctions")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise NotFound(_("案件不存在"))
    return case


def sanction_get_for(user: Viewer, pk: int) -> Sanction:
    sanction = (
        Sanction.objects.filter(case__in=PenaltyCase.objects.filter(case_scope_q(user)))
        .select_related("case", "case__organization")
        .filter(pk=pk)
        .first()
    )
    if sanction is None:
        raise NotFound(_("处罚内容不存在"))
    return sanction


# --- dormant campaigns --------------------------------------------------------------------------


def campaign_list_for(user: Viewer) -> QuerySet[DormantCampaign]:
    prefix = scope_of(user).bureau_prefix
    if prefix is None:
        return DormantCampaign.objects.none()
    qs = DormantCampaign.objects.select_related("region").annotate(
        n_candidates=Count("candidates"),
        n_pending=Count("candidates", filter=Q(candidates__outcome="pending")),
    )
    if prefix:
        qs = qs.filter(region__code__startswith=prefix)
    return qs.order_by("-started_on", "-id")


def campaign_get_for(user: Viewer, pk: int) -> DormantCampaign:
    prefix = scope_of(user).bureau_prefix
    campaign = (
        DormantCampaign.objects.select_related("region", "created_by").filter(pk=pk).first()
        if prefix is not None
        else None
    )
    if campaign is None or not campaign.region.code.startswith(prefix or ""):
        raise NotFound(_("清理行动不存在"))
    return campaign


def candidates_of(campaign: DormantCampaign, *, outcome: str = "") -> QuerySet[DormantCandidate]:
    qs = campaign.candidates.select_related("organization", "penalty_case", "deregistration")
    if outcome:
        qs = qs.filter(outcome=outcome)
    return qs.order_by("organization__name", "id")


def candidate_get_for(user: Viewer, pk: int) -> DormantCandidate:
    candidate = (
        DormantCandidate.objects.select_related(
            "campaign", "campaign__region", "organization", "organization__authority_region"
        )
        .filter(pk=pk)
        .first()
    )
    prefix = scope_of(user).bureau_prefix
    if candidate is None or prefix is None or not candidate.campaign.region.code.startswith(prefix):
        raise NotFound(_("清理对象不存在"))
    return candidate


# --- closure statistics (Rizhao style) ----------------------------------------------------------


@dataclass(frozen=True)
class ClosureRow:
    level: str
    label: str
    deregistered: int
    revoked: int

    @property
    def total(self) -> int:
        return self.deregistered + self.revoked


def closure_statistics_for(
    user: Viewer, *, since: dt.date, region_prefix: str = ""
) -> list[ClosureRow]:
    """Deregistered and revoked organisations since a date, by management level (from the
    registry's status history: the closed status and the date it took effect). One query."""
    qs = organization_visible_to(user).filter(
        status__in=CLOSED_STATUSES, status_changed_on__gte=since
    )
    if region_prefix:
        qs = qs.filter(address_code__startswith=region_prefix)
    counts: dict[tuple[str, str], int] = {
        (row["management_level"], row["status"]): row["n"]
        for row in qs.order_by().values("management_level", "status").annotate(n=Count("id"))
    }
    return [
        ClosureRow(
            level=level.value,
            label=str(level.label),
            deregistered=counts.get((level.value, Status.DEREGISTERED), 0),
            revoked=counts.get((level.value, Status.REVOKED), 0),
        )
        for level in ManagementLevel
    ]


# --- enforcement statistics: trend and composition (the page's tables and charts) -------------


@dataclass(frozen=True)
class MonthRow:
    month: dt.date
    complaints: int
    cases_filed: int
    decisions: int
    closures: int


@dataclass(frozen=True)
class ShareRow:
    key: str
    label: str
    count: int


def _by_month(qs: QuerySet[Any], field: str, since: dt.date) -> dict[dt.date, int]:
    """Counts of ``qs`` per month of the date ``field`` from ``since`` on, counted in Python
    from the dates (one query, the same on SQLite and PostgreSQL)."""
    counts: dict[dt.date, int] = {}
    for day in qs.filter(**{f"{field}__gte": since}).values_list(field, flat=True).iterator():
        key = day.replace(day=1)
        counts[key] = counts.get(key, 0) + 1
    return counts


def enforcement_trend_for(
    user: Viewer, *, since: dt.date, until: dt.date | None = None
) -> list[MonthRow]:
    """Per month from ``since`` to ``until`` (today): complaints received, cases filed, penalty
    decisions made (the user's complaints and cases) and organisations deregistered or revoked
    (the user's organisations, as the closure table). Four queries."""
    until = until or timezone.localdate()
    since = since.replace(day=1)
    complaints = _by_month(Complaint.objects.filter(complaint_scope_q(user)), "received_on", since)
    cases = PenaltyCase.objects.filter(case_scope_q(user))
    filed = _by_month(cases.exclude(filed_on=None), "filed_on", since)
    decided = _by_month(
        cases.exclude(decided_on=None).exclude(state=PS.DROPPED), "decided_on", since
    )
    closures = _by_month(
        organization_visible_to(user)
        .filter(status__in=CLOSED_STATUSES)
        .exclude(status_changed_on=None),
        "status_changed_on",
        since,
    )
    return [
        MonthRow(m, complaints.get(m, 0), filed.get(m, 0), decided.get(m, 0), closures.get(m, 0))
        for m in month_starts(since, until)
    ]


def complaint_categories_for(user: Viewer, *, since: dt.date) -> list[ShareRow]:
    """Complaints received since ``since`` per category (every category, zero included)."""
    counts = dict(
        Complaint.objects.filter(complaint_scope_q(user), received_on__gte=since)
        .order_by()
        .values_list("category")
        .annotate(n=Count("id"))
        .values_list("category", "n")
    )
    return [ShareRow(c.value, str(c.label), counts.get(c.value, 0)) for c in ComplaintCategory]


def case_outcomes_for(user: Viewer, *, since: dt.date) -> list[ShareRow]:
    """Penalty cases opened since ``since`` per state reached (where each case stands now)."""
    counts = dict(
        PenaltyCase.objects.filter(case_scope_q(user), created_at__date__gte=since)
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    return [ShareRow(s.value, str(s.label), counts.get(s.value, 0)) for s in PS]
