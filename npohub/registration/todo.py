"""Registration work waiting for a user, for the home page (see ``npohub.core.todo``).

- reviewing departments: review tasks without an opinion in the current round;
- the registering authority: applications to accept and to decide, and those in joint review
  whose statutory time limit is close;
- community workers and street offices (or the federation they delegated to): filings to check
  and to decide;
- applicants: their drafts, and applications sent back to them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Min, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from npohub.accounts.models import BUREAU_ROLES, Role
from npohub.core.permissions import is_signed_in
from npohub.core.todo import SOON_DAYS, TodoItem, Urgency, register

from .models import Application
from .selectors import _delegated_streets, _own_org_ids, review_inbox_for
from .workflows import S


def _url(name: str, **query: str) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(query)}" if query else url


def _bureau_prefix(user: Any) -> str | None:
    """ "" for the superuser (everything), the region prefix for bureau staff, else None."""
    if user.is_superuser:
        return ""
    if user.role in BUREAU_ROLES and user.scope_prefix:
        return str(user.scope_prefix)
    return None


# What ``Application.due_on`` reads (loading only these keeps the query small).
_CLOCK_FIELDS = ("accepted_on", "deadline_days", "paused_days", "paused_since")


def _earliest_due(apps: QuerySet[Application], today: dt.date) -> tuple[int, dt.date | None]:
    """How many applications, and the earliest statutory deadline among them (one query)."""
    dues = [app.due_on(today) for app in apps.only(*_CLOCK_FIELDS)]
    known = [d for d in dues if d is not None]
    return len(dues), min(known, default=None)


def review_tasks_waiting(user: Any, today: dt.date) -> list[TodoItem]:
    """联审任务: the user's departments' tasks without an opinion in the current round."""
    if user.role in (Role.RESIDENT, Role.ORG_USER) and not user.is_superuser:
        return []
    row = review_inbox_for(user).order_by().aggregate(n=Count("id"), due=Min("due_on"))
    return [
        TodoItem.make(
            "registration.review_tasks",
            _("待提出联审意见的申请"),
            row["n"],
            reverse("registration:review-list"),
            row["due"],
            today,
        )
    ]


def _authority_apps(prefix: str) -> QuerySet[Application]:
    qs = Application.objects.exclude(kind="filing")
    return qs.filter(authority_region__code__startswith=prefix) if prefix else qs


def authority_applications(user: Any, today: dt.date) -> list[TodoItem]:
    """The registering authority: to accept, to decide, and joint reviews near their limit."""
    prefix = _bureau_prefix(user)
    if prefix is None:
        return []
    apps = _authority_apps(prefix)
    to_accept = apps.filter(state=S.SUBMITTED).count()
    decide_n, decide_due = _earliest_due(apps.filter(state=S.REVIEWED), today)
    soon = [
        due
        for due in (
            app.due_on(today)
            for app in apps.filter(state=S.IN_REVIEW, accepted_on__isnull=False).only(
                *_CLOCK_FIELDS
            )
        )
        if due is not None and (due - today).days <= SOON_DAYS
    ]
    return [
        TodoItem.make(
            "registration.to_accept",
            _("待受理的登记申请"),
            to_accept,
            _url("registration:application-list", state=S.SUBMITTED),
            None,
            today,
        ),
        TodoItem.make(
            "registration.to_decide",
            _("联审完成待作出决定的申请"),
            decide_n,
            _url("registration:application-list", state=S.REVIEWED),
            decide_due,
            today,
        ),
        TodoItem.make(
            "registration.deadline_close",
            _("联合审查中、法定时限将到的申请"),
            len(soon),
            reverse("registration:deadline-board"),
            min(soon, default=None),
            today,
        ),
    ]


def _street_codes(user: Any) -> list[str]:
    """Street prefixes whose filings the user decides: the street office's own, or those
    delegated to the user's federation."""
    if user.role == Role.STREET_OFFICER and user.scope_prefix:
        return [str(user.scope_prefix)]
    if user.role == Role.HUB_STAFF:
        return _delegated_streets(user)
    return []


def _within(prefixes: list[str]) -> Q:
    q = Q(pk__in=[])
    for prefix in prefixes:
        q |= Q(address_code__startswith=prefix)
    return q


def filings_waiting(user: Any, today: dt.date) -> list[TodoItem]:
    """Community filings: the community checks them first, then the street office decides."""
    items = []
    filings = Application.objects.filter(kind="filing")
    if user.role == Role.COMMUNITY_WORKER and user.scope_prefix:
        n, due = _earliest_due(
            filings.filter(state=S.SUBMITTED, address_code__startswith=user.scope_prefix), today
        )
        items.append(
            TodoItem.make(
                "registration.filing_check",
                _("待社区初审的备案申请"),
                n,
                _url("registration:application-list", kind="filing", state=S.SUBMITTED),
                due,
                today,
            )
        )
    streets = _street_codes(user)
    if streets:
        n, due = _earliest_due(filings.filter(_within(streets), state=S.COMMUNITY_CHECKED), today)
        items.append(
            TodoItem.make(
                "registration.filing_decide",
                _("社区初审通过、待街道备案的申请"),
                n,
                _url("registration:application-list", kind="filing", state=S.COMMUNITY_CHECKED),
                due,
                today,
            )
        )
    return items


# Submitted and not yet decided: the applicant follows their progress (nothing to do but wait).
WAITING_ON_OTHERS = frozenset({S.SUBMITTED, S.IN_REVIEW, S.REVIEWED, S.COMMUNITY_CHECKED})


def applicant_applications(user: Any, today: dt.date) -> list[TodoItem]:
    """The user's drafts, applications returned to the applicant (theirs or their
    organisation's) for more documents or corrections, and those submitted and in progress."""
    if user.role not in (Role.RESIDENT, Role.ORG_USER, Role.COMMUNITY_WORKER):
        return []
    mine = Q(applicant_id=user.pk)
    row = Application.objects.filter(mine | Q(organization_id__in=_own_org_ids(user))).aggregate(
        drafts=Count("id", filter=mine & Q(state=S.DRAFT)),
        returned=Count("id", filter=Q(state=S.RETURNED)),
        supplement=Count("id", filter=Q(state=S.SUPPLEMENT)),
        waiting=Count("id", filter=Q(state__in=list(WAITING_ON_OTHERS))),
    )
    return [
        TodoItem.make(
            "registration.drafts",
            _("未提交的申请草稿"),
            row["drafts"],
            _url("registration:application-list", state=S.DRAFT),
            None,
            today,
        ),
        TodoItem.make(
            "registration.returned",
            _("已退回、待修改后重新提交的申请"),
            row["returned"],
            _url("registration:application-list", state=S.RETURNED),
            None,
            today,
        ),
        TodoItem.make(
            "registration.supplement",
            _("联合审查要求补正材料的申请"),
            row["supplement"],
            _url("registration:application-list", state=S.SUPPLEMENT),
            None,
            today,
        ),
        TodoItem(
            label=_("已提交、正在办理的申请"),
            count=row["waiting"],
            url=_url("registration:application-list", open="on"),
            urgency=Urgency.INFO,
            key="registration.in_progress",
        ),
    ]


def registration_todos(user: Any, today: dt.date) -> list[TodoItem]:
    if not is_signed_in(user):
        return []
    return [
        *review_tasks_waiting(user, today),
        *authority_applications(user, today),
        *filings_waiting(user, today),
        *applicant_applications(user, today),
    ]


register("registration", registration_todos)
