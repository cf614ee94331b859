"""Enforcement work waiting for a user, for the home page (see ``npohub.core.todo``).

- the bureau of the complaint's place: complaints to accept and replied ones to close;
- whoever a complaint is assigned to (bureau or street staff): complaints to answer, by the
  reply deadline;
- the bureau: proposed cases (拟立案) to file or dismiss, decisions to serve, fines not paid
  by their deadline.
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

from .models import Complaint, PenaltyCase
from .permissions import is_enforcement_staff
from .selectors import case_scope_q
from .workflows import CS, PS


def _url(name: str, **query: str) -> str:
    return f"{reverse(name)}?{urlencode(query)}"


def complaints(user: User, today: dt.date) -> list[TodoItem]:
    prefix = scope_of(user).bureau_prefix
    waiting = [CS.ACCEPTED, CS.INVESTIGATING]
    region = Q(region_code__startswith=prefix) if prefix is not None else Q(pk__in=[])
    row = Complaint.objects.filter(region | Q(assignee_id=user.pk)).aggregate(
        to_accept=Count("id", filter=region & Q(state=CS.SUBMITTED)),
        to_accept_due=Min("reply_due_on", filter=region & Q(state=CS.SUBMITTED)),
        mine=Count("id", filter=Q(assignee_id=user.pk, state__in=waiting)),
        mine_due=Min("reply_due_on", filter=Q(assignee_id=user.pk, state__in=waiting)),
        to_close=Count("id", filter=region & Q(state=CS.REPLIED)),
    )
    return [
        TodoItem.make(
            "enforcement.complaints_to_accept",
            _("待受理的投诉举报"),
            row["to_accept"],
            _url("enforcement:complaint-list", state=CS.SUBMITTED),
            row["to_accept_due"],
            today,
        ),
        TodoItem.make(
            "enforcement.complaints_mine",
            _("分派给我、待核查答复的投诉举报"),
            row["mine"],
            _url("enforcement:complaint-list", mine="on", open="on"),
            row["mine_due"],
            today,
        ),
        TodoItem.make(
            "enforcement.complaints_to_close",
            _("已答复、待办结的投诉举报"),
            row["to_close"],
            _url("enforcement:complaint-list", state=CS.REPLIED),
            None,
            today,
        ),
    ]


def cases(user: User, today: dt.date) -> list[TodoItem]:
    if scope_of(user).bureau_prefix is None:
        return []
    unpaid = Q(state=PS.EXECUTING, payment_due_on__isnull=False, paid_on__isnull=True)
    row = PenaltyCase.objects.filter(case_scope_q(user)).aggregate(
        proposed=Count("id", filter=Q(state=PS.PROPOSED)),
        decided=Count("id", filter=Q(state=PS.DECIDED)),
        decided_due=Min("service_due_on", filter=Q(state=PS.DECIDED)),
        unpaid=Count("id", filter=unpaid),
        unpaid_due=Min("payment_due_on", filter=unpaid),
    )
    return [
        TodoItem.make(
            "enforcement.cases_proposed",
            _("拟立案、待决定是否立案的案件"),
            row["proposed"],
            _url("enforcement:case-list", state=PS.PROPOSED),
            None,
            today,
        ),
        TodoItem.make(
            "enforcement.cases_to_serve",
            _("已作出处罚决定、待送达的案件"),
            row["decided"],
            _url("enforcement:case-list", state=PS.DECIDED),
            row["decided_due"],
            today,
        ),
        TodoItem.make(
            "enforcement.cases_unpaid",
            _("执行中、罚款尚未缴纳的案件"),
            row["unpaid"],
            _url("enforcement:case-list", state=PS.EXECUTING),
            row["unpaid_due"],
            today,
        ),
    ]


def enforcement_todos(user: User, today: dt.date) -> list[TodoItem]:
    if not is_enforcement_staff(user):
        return []
    return [*complaints(user, today), *cases(user, today)]


register("enforcement", enforcement_todos)
