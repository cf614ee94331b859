"""Star-rating work waiting for a user, for the home page (see ``npohub.core.todo``).

- hub staff: last month's scores not entered for their members;
- bureaus, street offices and hub staff: interviews (约谈) to hold and rectifications to check,
  by their deadlines;
- bureaus and street offices: appeals against deductions waiting for a decision.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, F, Min, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from npohub.accounts.models import Role, User
from npohub.core.todo import TodoItem, register
from npohub.hubs.models import HubMembership
from npohub.hubs.selectors import staff_hub_ids
from npohub.orgs.scope import scope_of

from .models import AppealState, InterviewState, MonthlyScorecard
from .permissions import Viewer, sees_star_work
from .selectors import appeal_visible_to, interview_visible_to, month_start, shift_month


def _url(name: str, **query: str) -> str:
    return f"{reverse(name)}?{urlencode(query)}"


def unscored_members(user: User, today: dt.date) -> list[TodoItem]:
    """Current members of the user's hubs with no score for last month (the scoring page's
    default month)."""
    if user.role != Role.HUB_STAFF:
        return []
    period = shift_month(month_start(today), -1)
    scored = MonthlyScorecard.objects.filter(period=period).values("organization_id")
    n = (
        HubMembership.objects.filter(hub_id__in=staff_hub_ids(user, on=today), joined_on__lte=today)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=today))
        .exclude(organization_id=F("hub__organization_id"))
        .exclude(organization_id__in=scored)
        .values("organization_id")
        .distinct()
        .count()
    )
    return [
        TodoItem.make(
            "stars.unscored",
            _("%(year)s年%(month)s月尚未评分的成员组织")
            % {"year": period.year, "month": period.month},
            n,
            _url("stars:scoring", month=f"{period:%Y-%m}"),
            None,
            today,
        )
    ]


def interviews(user: User, today: dt.date) -> list[TodoItem]:
    row = interview_visible_to(user).aggregate(
        open=Count("id", filter=Q(state=InterviewState.OPEN)),
        open_due=Min("due_on", filter=Q(state=InterviewState.OPEN)),
        rectifying=Count("id", filter=Q(state=InterviewState.RECTIFYING)),
        rectifying_due=Min("rectification_due", filter=Q(state=InterviewState.RECTIFYING)),
    )
    return [
        TodoItem.make(
            "stars.interviews_open",
            _("待约谈的社会组织"),
            row["open"],
            _url("stars:interview-list", state=InterviewState.OPEN),
            row["open_due"],
            today,
        ),
        TodoItem.make(
            "stars.interviews_rectifying",
            _("约谈后整改中、待核查的社会组织"),
            row["rectifying"],
            _url("stars:interview-list", state=InterviewState.RECTIFYING),
            row["rectifying_due"],
            today,
        ),
    ]


def appeals(user: User, today: dt.date) -> list[TodoItem]:
    if user.role == Role.HUB_STAFF and not user.is_superuser:
        return []  # the hub scored: its supervisor decides the appeal
    n = appeal_visible_to(user).filter(state=AppealState.SUBMITTED).count()
    return [
        TodoItem.make(
            "stars.appeals",
            _("待处理的月度评分申诉"),
            n,
            _url("stars:appeal-list", state=AppealState.SUBMITTED),
            None,
            today,
        )
    ]


def stars_todos(user: Viewer, today: dt.date) -> list[TodoItem]:
    me = scope_of(user).user
    if me is None or not sees_star_work(me):
        return []
    return [*unscored_members(me, today), *interviews(me, today), *appeals(me, today)]


register("stars", stars_todos)
