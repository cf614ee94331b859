"""Assessment (等级评估) work waiting for a user, for the home page (see ``npohub.core.todo``).

- the expert: scoring tasks not submitted, in rounds at the scoring stage;
- the bureau running a round: applications to check for eligibility and objections to review
  (by their review deadline), one line per round;
- the organisation: its grade when it expires within ``EXPIRY_WARNING_DAYS`` (it must apply in
  a new round to keep one).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from npohub.accounts.models import Role, User
from npohub.core.todo import TodoItem, register
from npohub.orgs.models import AccessReason
from npohub.orgs.scope import scope_of

from .models import Application, ApplicationState, Assignment, Grade, Objection, ObjectionState
from .permissions import Viewer
from .selectors import _valid_on_q
from .workflows import RS

# An organisation is reminded of its grade's expiry this many days ahead.
EXPIRY_WARNING_DAYS = 180


def expert_tasks(user: User, today: dt.date) -> list[TodoItem]:
    if user.role != Role.EXPERT:
        return []
    n = Assignment.objects.filter(
        expert__user_id=user.pk, submitted_at__isnull=True, application__round__state=RS.SCORING
    ).count()
    return [
        TodoItem.make(
            "ratings.scoring",
            _("待提交评分的评估申报"),
            n,
            reverse("ratings:assignment-list"),
            None,
            today,
        )
    ]


def bureau_rounds(user: User, today: dt.date) -> list[TodoItem]:
    """Per round the bureau runs: eligibility checks and objections waiting."""
    prefix = scope_of(user).bureau_prefix
    if prefix is None:
        return []

    def _round_filter(field: str) -> dict[str, str]:
        return {f"{field}__startswith": prefix} if prefix else {}

    items = []
    to_check = (
        Application.objects.filter(
            state=ApplicationState.SUBMITTED,
            round__state=RS.ELIGIBILITY,
            **_round_filter("round__region__code"),
        )
        .values("round_id", "round__name")
        .annotate(n=Count("id"))
        .order_by("round_id")
    )
    for row in to_check:
        items.append(
            TodoItem.make(
                f"ratings.eligibility.{row['round_id']}",
                _("%(round)s：待资格审查的申报") % {"round": row["round__name"]},
                row["n"],
                reverse("ratings:round-detail", args=[row["round_id"]]),
                None,
                today,
            )
        )
    objections = (
        Objection.objects.filter(
            state=ObjectionState.FILED,
            **_round_filter("application__round__region__code"),
        )
        .values("application__round_id", "application__round__name")
        .annotate(n=Count("id"), due=Min("due_on"))
        .order_by("application__round_id")
    )
    for row in objections:
        items.append(
            TodoItem.make(
                f"ratings.objections.{row['application__round_id']}",
                _("%(round)s：待复核的评估结果异议") % {"round": row["application__round__name"]},
                row["n"],
                reverse("ratings:round-detail", args=[row["application__round_id"]]),
                row["due"],
                today,
            )
        )
    return items


def expiring_grades(user: User, today: dt.date) -> list[TodoItem]:
    if user.role != Role.ORG_USER:
        return []
    own = scope_of(user).granted_ids(on=today, reason=AccessReason.OWN)
    row = (
        Grade.objects.filter(_valid_on_q(today), organization_id__in=own)
        .filter(valid_until__lte=today + dt.timedelta(days=EXPIRY_WARNING_DAYS))
        .aggregate(n=Count("id"), due=Min("valid_until"))
    )
    return [
        TodoItem.make(
            "ratings.expiring",
            _("即将到期的评估等级（请在新一轮评估中申报）"),
            row["n"],
            reverse("ratings:round-list"),
            row["due"],
            today,
        )
    ]


def ratings_todos(user: Viewer, today: dt.date) -> list[TodoItem]:
    me = scope_of(user).user
    if me is None:
        return []
    return [*expert_tasks(me, today), *bureau_rounds(me, today), *expiring_grades(me, today)]


register("ratings", ratings_todos)
