"""Spot-check work waiting for a user, for the home page (see ``npohub.core.todo``).

- an inspector drawn for a check: checks to notify and to conclude, while the plan is being
  carried out;
- the bureau running the plan and the check's inspectors: rectifications reported and waiting
  to be verified, and orders past their deadline with nothing reported.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from npohub.accounts.models import User
from npohub.core.todo import TodoItem, register
from npohub.orgs.scope import scope_of

from .models import Assignment, CheckStatus, RectificationOrder, SpotCheck
from .permissions import POOL_ROLES, Viewer
from .selectors import checks_visible_to
from .workflows import WORKING_STATES


def _checks_url(**query: str) -> str:
    return f"{reverse('inspections:check-list')}?{urlencode(query)}"


def assigned_checks(user: User, today: dt.date) -> list[TodoItem]:
    """Checks the user was drawn for (active assignment) in a plan being carried out."""
    if user.role not in POOL_ROLES:
        return []
    mine = Assignment.objects.filter(user_id=user.pk, is_active=True).values("spot_check_id")
    row = SpotCheck.objects.filter(pk__in=mine, plan__state__in=list(WORKING_STATES)).aggregate(
        drawn=Count("id", filter=Q(status=CheckStatus.DRAWN)),
        notified=Count("id", filter=Q(status=CheckStatus.NOTIFIED)),
        notified_due=Min("scheduled_on", filter=Q(status=CheckStatus.NOTIFIED)),
    )
    return [
        TodoItem.make(
            "inspections.to_notify",
            _("已抽中、待告知被检查组织的抽查对象"),
            row["drawn"],
            _checks_url(status=CheckStatus.DRAWN),
            None,
            today,
        ),
        TodoItem.make(
            "inspections.to_conclude",
            _("已告知、待检查并出结论的抽查对象"),
            row["notified"],
            _checks_url(status=CheckStatus.NOTIFIED),
            row["notified_due"],
            today,
        ),
    ]


def rectifications(user: User, today: dt.date) -> list[TodoItem]:
    """Orders of the checks the user sees as bureau or inspector: reported and not verified,
    or past the deadline with no rectification reported."""
    if not (user.is_superuser or user.role in POOL_ROLES):
        return []
    row = RectificationOrder.objects.filter(spot_check__in=checks_visible_to(user)).aggregate(
        to_verify=Count("id", filter=Q(rectified_on__isnull=False, verified_on__isnull=True)),
        overdue=Count("id", filter=Q(rectified_on__isnull=True, deadline__lt=today)),
        overdue_due=Min("deadline", filter=Q(rectified_on__isnull=True, deadline__lt=today)),
    )
    return [
        TodoItem.make(
            "inspections.to_verify",
            _("已报告整改、待核查的整改通知"),
            row["to_verify"],
            _checks_url(status=CheckStatus.CONCLUDED),
            None,
            today,
        ),
        TodoItem.make(
            "inspections.overdue_orders",
            _("逾期未报告整改情况的整改通知"),
            row["overdue"],
            _checks_url(status=CheckStatus.CONCLUDED),
            row["overdue_due"],
            today,
        ),
    ]


def inspections_todos(user: Viewer, today: dt.date) -> list[TodoItem]:
    me = scope_of(user).user
    if me is None:
        return []
    return [*assigned_checks(me, today), *rectifications(me, today)]


register("inspections", inspections_todos)
