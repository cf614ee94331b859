"""Annual-report work waiting for a user, for the home page (see ``npohub.core.todo``).

- the organisation: reports to start, to finish and to correct (returned), with their deadline;
- the business-supervisory unit: reports waiting for its first review (初审);
- the registering authority: reports to examine and conclusions to publish.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Min, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from npohub.accounts.models import Role, User
from npohub.core.permissions import is_signed_in
from npohub.core.todo import TodoItem, register
from npohub.orgs.models import AccessReason, Organization
from npohub.orgs.scope import scope_of

from .models import AnnualReport
from .selectors import deadlines_for, organizations_due
from .workflows import S


def _list_url(**query: str) -> str:
    return f"{reverse('supervision:report-list')}?{urlencode(query)}"


def season_year(today: dt.date) -> int:
    """The report year being filed now (reports for year Y are filed in Y+1)."""
    return today.year - 1


def organization_reports(user: User, today: dt.date) -> list[TodoItem]:
    """The organisation's own reports: not started for this season, being filled in, returned."""
    if user.role != Role.ORG_USER or user.is_superuser:
        return []
    own = scope_of(user).granted_ids(reason=AccessReason.OWN, on=today)
    year = season_year(today)
    not_started = list(
        organizations_due(year, within=Organization.objects.filter(pk__in=own)).exclude(
            annual_reports__year=year
        )
    )
    start_due = min((deadlines_for(org, year).bureau for org in not_started), default=None)
    # The organisation's next deadline: the supervisor's date on the dual route, else the bureau's.
    row = AnnualReport.objects.filter(organization_id__in=own).aggregate(
        drafts=Count("id", filter=Q(state=S.DRAFT)),
        drafts_due=Min(Coalesce("supervisor_deadline", "bureau_deadline"), filter=Q(state=S.DRAFT)),
        returned=Count("id", filter=Q(state=S.RETURNED)),
        returned_due=Min("bureau_deadline", filter=Q(state=S.RETURNED)),
    )
    return [
        TodoItem.make(
            "supervision.not_started",
            _("尚未开始填报的%(year)s年度工作报告") % {"year": year},
            len(not_started),
            reverse("supervision:report-list"),
            start_due,
            today,
        ),
        TodoItem.make(
            "supervision.drafts",
            _("填报中、尚未提交的年度工作报告"),
            row["drafts"],
            _list_url(state=S.DRAFT),
            row["drafts_due"],
            today,
        ),
        TodoItem.make(
            "supervision.returned",
            _("被退回、待修改后重新提交的年度工作报告"),
            row["returned"],
            _list_url(state=S.RETURNED),
            row["returned_due"],
            today,
        ),
    ]


def supervisor_reports(user: User, today: dt.date) -> list[TodoItem]:
    """The business-supervisory unit: dual-route reports of the organisations it supervises."""
    if user.role != Role.REVIEWER or user.is_superuser:
        return []
    supervised = scope_of(user).granted_ids(reason=AccessReason.SUPERVISED, on=today)
    row = AnnualReport.objects.filter(
        organization_id__in=supervised, is_dual_managed=True, state=S.SUPERVISOR_REVIEW
    ).aggregate(n=Count("id"), due=Min("bureau_deadline"))
    return [
        TodoItem.make(
            "supervision.first_review",
            _("待业务主管单位初审的年度工作报告"),
            row["n"],
            _list_url(state=S.SUPERVISOR_REVIEW),
            row["due"],
            today,
        )
    ]


def bureau_reports(user: User, today: dt.date) -> list[TodoItem]:
    """The registering authority: reports that reached it, and conclusions not yet published."""
    scope = scope_of(user)
    if not scope.is_bureau:
        return []
    qs = AnnualReport.objects.all()
    if not scope.everything:
        prefix = scope.prefix
        qs = qs.filter(Q(address_code__startswith=prefix) | Q(authority_code__startswith=prefix))
    row = qs.aggregate(
        submitted=Count("id", filter=Q(state=S.SUBMITTED)),
        concluded=Count("id", filter=Q(state=S.CONCLUDED)),
    )
    return [
        TodoItem.make(
            "supervision.to_examine",
            _("待登记管理机关审查的年度工作报告"),
            row["submitted"],
            _list_url(state=S.SUBMITTED),
            None,
            today,
        ),
        TodoItem.make(
            "supervision.to_publish",
            _("已作出年检结论、待公告的年度工作报告"),
            row["concluded"],
            _list_url(state=S.CONCLUDED),
            None,
            today,
        ),
    ]


def supervision_todos(user: User | AnonymousUser, today: dt.date) -> list[TodoItem]:
    if not isinstance(user, User) or not is_signed_in(user):
        return []
    return [
        *organization_reports(user, today),
        *supervisor_reports(user, today),
        *bureau_reports(user, today),
    ]


register("supervision", supervision_todos)
