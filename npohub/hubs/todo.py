"""Hub work waiting for a user, for the home page (see ``npohub.core.todo``).

- the member organisation: notices from its hubs not read yet;
- the bureau: problems hubs raised (问题上报) to assign, and those assigned to the user.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from npohub.accounts.models import Role, User
from npohub.core.todo import TodoItem, register
from npohub.orgs.scope import scope_of

from .models import EscalationState
from .selectors import Viewer, escalation_visible_to, notice_receipts_for


def unread_notices(user: User, today: dt.date) -> list[TodoItem]:
    if user.role != Role.ORG_USER:
        return []
    n = notice_receipts_for(user).filter(read_at__isnull=True).count()
    return [
        TodoItem.make(
            "hubs.notices", _("未读的枢纽组织通知"), n, reverse("hubs:notice-inbox"), None, today
        )
    ]


def escalations(user: User, today: dt.date) -> list[TodoItem]:
    if not scope_of(user).is_bureau:
        return []
    url = reverse("hubs:escalation-list")
    row = escalation_visible_to(user).aggregate(
        open=Count("id", filter=Q(state=EscalationState.OPEN)),
        mine=Count("id", filter=Q(state=EscalationState.ASSIGNED, assignee_id=user.pk)),
    )
    return [
        TodoItem.make(
            "hubs.escalations_open",
            _("枢纽组织上报、待分派的问题"),
            row["open"],
            f"{url}?{urlencode({'state': EscalationState.OPEN})}",
            None,
            today,
        ),
        TodoItem.make(
            "hubs.escalations_mine",
            _("分派给我、待办结的上报问题"),
            row["mine"],
            f"{url}?{urlencode({'state': EscalationState.ASSIGNED})}",
            None,
            today,
        ),
    ]


def hubs_todos(user: Viewer, today: dt.date) -> list[TodoItem]:
    if not isinstance(user, User) or not user.is_authenticated:
        return []
    return [*unread_notices(user, today), *escalations(user, today)]


register("hubs", hubs_todos)
