"""Reading applications, review tasks, deadlines and announcements, always in the user's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import BUREAU_ROLES, Role
from npohub.core.errors import NotFound
from npohub.core.permissions import is_signed_in
from npohub.core.workflows import HistoryRow, history_for
from npohub.orgs.models import CLOSED_STATUSES, AccessReason, Organization, OrganizationAccess

from .models import (
    ActivityReport,
    Announcement,
    Application,
    Attachment,
    Certificate,
    Department,
    FilingDelegation,
    ReviewTask,
)
from .workflows import CLOCK_STATES, FINAL_STATES, S


def _own_org_ids(user: Any) -> QuerySet[OrganizationAccess, Any]:
    return OrganizationAccess.objects.filter(user_id=user.pk, reason=AccessReason.OWN).values(
        "organization_id"
    )


def _delegated_streets(user: Any) -> list[str]:
    if user.role != Role.HUB_STAFF:
        return []
    granted = OrganizationAccess.objects.filter(user_id=user.pk).values("organization_id")
    today = timezone.localdate()
    return [
        code[:9]
        for code in FilingDelegation.objects.filter(
            federation_id__in=granted, valid_from__lte=today
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .values_list("street__code", flat=True)
    ]


def application_scope_q(user: Any) -> Q:
    """Which applications the user may see (none if nothing applies)."""
    if not is_signed_in(user):
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    q = Q(applicant_id=user.pk) | Q(organization_id__in=_own_org_ids(user))
    prefix = user.scope_prefix or ""
    if user.role in BUREAU_ROLES and prefix:
        q |= Q(authority_region__code__startswith=prefix) | Q(address_code__startswith=prefix)
    if user.role in (Role.STREET_OFFICER, Role.COMMUNITY_WORKER) and prefix:
        q |= Q(kind="filing", address_code__startswith=prefix)
        q |= Q(address_code__startswith=prefix, state__in=list(FINAL_STATES))
    streets = _delegated_streets(user)
    for street in streets:
        q |= Q(kind="filing", address_code__startswith=street)
    departments = Department.objects.filter(members=user).values("pk")
    q |= Q(pk__in=ReviewTask.objects.filter(department_id__in=departments).values("application_id"))
    return q


@dataclass(frozen=True)
class ApplicationFilters:
    kind: str = ""
    state: str = ""
    q: str = ""
    overdue: bool = False
    open_only: bool = False


def application_list_for(
    user: Any, filters: ApplicationFilters | None = None
) -> QuerySet[Application]:
    filters = filters or ApplicationFilters()
    qs = (
        Application.objects.filter(application_scope_q(user))
        .select_related("authority_region", "organization", "applicant", "category")
        .exclude(Q(state=S.DRAFT) & ~Q(applicant_id=user.pk))
    )
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.open_only:
        qs = qs.exclude(state__in=list(FINAL_STATES))
    if filters.q:
        qs = qs.filter(Q(name__contains=filters.q) | Q(number__startswith=filters.q.upper()))
    return qs.order_by("-created_at", "-id")


def application_get_for(user: Any, pk: int) -> Application:
    app = (
        Application.objects.filter(application_scope_q(user), pk=pk)
        .select_related(
            "authority_region", "organization", "applicant", "category", "supervisory_department"
        )
        .first()
    )
    if app is None or (
        app.state == S.DRAFT and app.applicant_id != user.pk and not user.is_superuser
    ):
        raise NotFound(_("申请不存在"))
    return app


@dataclass(frozen=True)
class DeadlineRow:
    application: Application
    due_on: dt.date | None
    days_left: int | None
    paused: bool


def deadline_board_for(user: Any, *, today: dt.date | None = None) -> list[DeadlineRow]:
    """Open applications with a running (or paused) clock: overdue first, then fewest days left."""
    today = today or timezone.localdate()
    qs = (
        Application.objects.filter(application_scope_q(user))
        .filter(accepted_on__isnull=False)
        .filter(
            Q(state__in=list(CLOCK_STATES))
            | Q(kind="filing", state__in=[S.SUBMITTED, S.COMMUNITY_CHECKED])
        )
        .select_related("authority_region", "organization")
    )
    rows = [
        DeadlineRow(
            application=app,
            due_on=app.due_on(today),
            days_left=app.days_left(today),
            paused=app.clock_paused,
        )
        for app in qs
    ]
    rows.sort(
        key=lambda r: (
            r.paused,
            r.days_left if r.days_left is not None else 10**6,
            r.application.pk,
        )
    )
    return rows


def review_inbox_for(
    user: Any, *, pending_only: bool = True, kind: str = ""
) -> QuerySet[ReviewTask]:
    """Review tasks of the departments the user belongs to."""
    if not is_signed_in(user):
        return ReviewTask.objects.none()
    qs = ReviewTask.objects.select_related(
        "application__authority_region", "department", "reviewer"
    )
    if not user.is_superuser:
        qs = qs.filter(department__members=user)
    if pending_only:
        qs = qs.filter(opinion="", application__state=S.IN_REVIEW).filter(round=models_round())
    if kind:
        qs = qs.filter(application__kind=kind)
    return qs.order_by("due_on", "application__number")


def models_round() -> Any:
    from django.db.models import F

    return F("application__review_round")


def review_task_get_for(user: Any, pk: int) -> ReviewTask:
    qs = ReviewTask.objects.select_related("application__authority_region", "department")
    if not user.is_superuser:
        qs = qs.filter(department__members=user)
    task = qs.filter(pk=pk).first() if is_signed_in(user) else None
    if task is None:
        raise NotFound(_("审查任务不存在"))
    return task


def review_tasks_of(app: Application) -> QuerySet[ReviewTask]:
    return app.review_tasks.select_related("department", "reviewer").prefetch_related("attachments")


def departments_for_authority(authority_code: str, *, kind: str = "") -> QuerySet[Department]:
    """Departments whose region contains the authority (e.g. to choose a supervisory unit)."""
    from npohub.regions.codes import ancestors

    codes = [c for _level, c in ancestors(authority_code)] + [authority_code]
    qs = Department.objects.filter(is_active=True, region__code__in=codes).select_related("region")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("kind", "name")


def announcements_public(*, q: str = "", kind: str = "") -> QuerySet[Announcement]:
    qs = Announcement.objects.select_related("organization", "authority_region")
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(title__contains=q) | Q(organization__uscc__startswith=q.upper()))
    return qs.order_by("-published_on", "-id")


def certificate_by_token(token: str) -> Certificate | None:
    return (
        Certificate.objects.select_related("organization").filter(token=token).first()
        if token
        else None
    )


def current_certificate(org: Organization) -> Certificate | None:
    return (
        Certificate.objects.filter(organization=org, voided_on__isnull=True)
        .order_by("-version")
        .first()
    )


def activity_reports_for(user: Any) -> QuerySet[ActivityReport]:
    if not is_signed_in(user):
        return ActivityReport.objects.none()
    qs = ActivityReport.objects.select_related("organization", "reported_by")
    if user.is_superuser:
        return qs
    q = Q(organization_id__in=_own_org_ids(user)) | Q(reported_by_id=user.pk)
    prefix = user.scope_prefix or ""
    if user.role in (*BUREAU_ROLES, Role.STREET_OFFICER, Role.COMMUNITY_WORKER) and prefix:
        q |= Q(organization__address_code__startswith=prefix)
    for street in _delegated_streets(user):
        q |= Q(organization__address_code__startswith=street)
    return qs.filter(q)


def activity_report_get_for(user: Any, pk: int) -> ActivityReport:
    report = activity_reports_for(user).filter(pk=pk).first()
    if report is None:
        raise NotFound(_("活动报告不存在"))
    return report


def applications_of(org: Organization) -> QuerySet[Application]:
    return Application.objects.filter(organization=org).order_by("-created_at")


def filing_delegations_for(user: Any) -> QuerySet[FilingDelegation]:
    """Filing delegations the user may see: streets in a street officer's or bureau's region,
    and, for hub staff, the delegations to the federations they work for."""
    if not is_signed_in(user):
        return FilingDelegation.objects.none()
    qs = FilingDelegation.objects.select_related("street", "federation", "created_by")
    if not user.is_superuser:
        q = Q(pk__in=[])
        prefix = user.scope_prefix or ""
        if user.role in (*BUREAU_ROLES, Role.STREET_OFFICER) and prefix:
            q |= Q(street__code__startswith=prefix)
        if user.role == Role.HUB_STAFF:
            granted = OrganizationAccess.objects.filter(user_id=user.pk).values("organization_id")
            q |= Q(federation_id__in=granted)
        qs = qs.filter(q)
    return qs.order_by("street__code", "-valid_from", "-id")


# --- certificates and announcements (helper "reg-cert": the PDF, verification, the portal) ---


def certificate_get_for(user: Any, pk: int) -> Certificate:
    """One certificate version of an organisation the user may see (NotFound otherwise)."""
    from npohub.orgs.selectors import organization_get_for

    cert = Certificate.objects.select_related("organization").filter(pk=pk).first()
    if cert is None:
        raise NotFound(_("证书不存在"))
    organization_get_for(user, cert.organization_id)  # NotFound when out of scope
    return cert


def current_certificate_for(user: Any, org_pk: int) -> Certificate:
    """The current certificate of an organisation the user may see (NotFound if none)."""
    from npohub.orgs.selectors import organization_get_for

    cert = current_certificate(organization_get_for(user, org_pk))
    if cert is None:
        raise NotFound(_("该组织没有有效的登记证书"))
    return cert


def announcement_public_get(pk: int) -> Announcement:
    announcement = announcements_public().filter(pk=pk).first()
    if announcement is None:
        raise NotFound(_("公告不存在"))
    return announcement


def announcements_of(org: Organization) -> QuerySet[Announcement]:
    return Announcement.objects.filter(organization=org).order_by("-published_on", "-id")


# --- helpers for the API (added by the API helper) ---------------------------------------------


def department_by_id(pk: int) -> Department | None:
    """An active department (reference data: anyone signed in may name one), or None."""
    return Department.objects.select_related("region").filter(pk=pk, is_active=True).first()


def attachments_of(app: Application) -> QuerySet[Attachment]:
    """The application's documents, opinion attachments included, oldest first."""
    return app.attachments.select_related("uploaded_by").order_by("uploaded_at", "id")


def state_changes_of(app: Application) -> list[HistoryRow]:
    """The application's history, oldest first, states and moves as labels."""
    from .services import APPLICATION_WORKFLOW

    return history_for(APPLICATION_WORKFLOW, app)


def attachment_get_for(user: Any, pk: int) -> Attachment:
    """A document of an application the user may see; NotFound for missing and forbidden."""
    attachment = (
        Attachment.objects.select_related("uploaded_by", "review_task").filter(pk=pk).first()
    )
    if attachment is None:
        raise NotFound(_("材料不存在"))
    try:
        attachment.application = application_get_for(user, attachment.application_id)
    except NotFound:
        raise NotFound(_("材料不存在")) from None
    return attachment


def reviews_application(user: Any, app: Application) -> bool:
    """Is the user a member of a department that reviews (or reviewed) the application?"""
    if not is_signed_in(user):
        return False
    return ReviewTask.objects.filter(application=app, department__members=user).exists()


# ---------------------------------------------------------------------------------------------
# Helpers for the registration pages (views.py)


def owned_organizations(user: Any, *, kinds: Any = None) -> QuerySet[Organization]:
    """Open organisations the user holds a valid organisation account (OWN grant) for."""
    if not is_signed_in(user):
        return Organization.objects.none()
    today = timezone.localdate()
    ids = (
        OrganizationAccess.objects.filter(user_id=user.pk, reason=AccessReason.OWN)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .values("organization_id")
    )
    qs = Organization.objects.filter(pk__in=ids).exclude(status__in=list(CLOSED_STATUSES))
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    return qs.order_by("name")


def application_counts_for(user: Any) -> list[dict[str, Any]]:
    """``{kind, state, n}`` for the applications the user's list shows (one aggregate query)."""
    return list(
        application_list_for(user).order_by().values("kind", "state").annotate(n=Count("id"))
    )


def application_attachments_of(app: Application) -> QuerySet[Attachment]:
    """The application's own documents (not those attached to a department's opinion)."""
    return app.attachments.filter(review_task__isnull=True).select_related("uploaded_by")
