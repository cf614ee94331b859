"""Who hears of an application's move (rows now, e-mail after commit: see
``npohub.notifications``), and the daily reminder of statutory deadlines.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import BUREAU_ROLES, Role, User
from npohub.core.templatetags.npohub import cn_date
from npohub.notifications.services import notify
from npohub.orgs.models import (
    AccessReason,
    OrganizationAccess,
)

from ..models import (
    Application,
    FilingDelegation,
)
from ..policy import policy_for
from ..workflows import (
    S,
    Transition,
    state_label,
)


def _bureau_users(app: Application) -> list[User]:
    code = app.authority_region.code
    prefixes = {code[:n] for n in (2, 4, 6, 9, 12)}
    return list(
        User.objects.filter(is_active=True, role__in=BUREAU_ROLES, scope_prefix__in=prefixes)
    )


def _role_users(role: str, code: str) -> list[User]:
    prefixes = {code[:n] for n in (2, 4, 6, 9, 12)}
    return list(User.objects.filter(is_active=True, role=role, scope_prefix__in=prefixes))


def _notify_transition(app: Application, move: Transition, actor: Any) -> None:
    url = reverse("registration:application-detail", args=[app.pk])
    title = _("%(number)s %(name)s：%(state)s") % {
        "number": app.number,
        "name": app.name,
        "state": state_label(app.state),
    }
    recipients: list[User] = []
    kind = "registration.update"
    if app.state in (S.RETURNED, S.SUPPLEMENT, S.APPROVED, S.REJECTED, S.FILED, S.IN_REVIEW):
        recipients.append(app.applicant)
        recipients += (
            [
                g.user
                for g in OrganizationAccess.objects.filter(
                    organization_id=app.organization_id, reason=AccessReason.OWN
                ).select_related("user")
            ]
            if app.organization_id
            else []
        )
    if app.state == S.SUBMITTED and app.kind != "filing":
        recipients += _bureau_users(app)
        kind = "registration.to_accept"
    if app.state == S.REVIEWED:
        recipients += _bureau_users(app)
        kind = "registration.to_decide"
    if app.state == S.IN_REVIEW:
        tasks = app.review_tasks.filter(round=app.review_round, opinion="").select_related(
            "department"
        )
        for task in tasks:
            notify(
                recipients=task.department.members.filter(is_active=True),
                kind="registration.review_task",
                title=_("联审任务：%(number)s %(name)s") % {"number": app.number, "name": app.name},
                body=_("请在 %(due)s 前提出意见") % {"due": cn_date(task.due_on)},
                url=reverse("registration:review-detail", args=[task.pk]),
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                dedupe_key=f"task:{task.pk}",
            )
    if app.kind == "filing" and app.state == S.SUBMITTED:
        recipients += _role_users(Role.COMMUNITY_WORKER, app.address_code)
        kind = "registration.filing"
    if app.kind == "filing" and app.state == S.COMMUNITY_CHECKED:
        recipients += _role_users(Role.STREET_OFFICER, app.address_code)
        street = app.address_code[:9] + "000"
        for delegation in FilingDelegation.objects.filter(street__code=street):
            recipients += [
                g.user
                for g in OrganizationAccess.objects.filter(
                    organization_id=delegation.federation_id
                ).select_related("user")
                if g.user.role == Role.HUB_STAFF
            ]
        kind = "registration.filing"
    if recipients:
        notify(
            recipients=recipients,
            kind=kind,
            title=title,
            body=str(move.label),
            url=url,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
        )


def application_remind_deadlines(*, today: dt.date | None = None) -> int:
    """Remind the bureau of applications close to (or past) their statutory deadline.

    Idempotent per day: an application is reminded at most once a day.
    """
    today = today or timezone.localdate()
    count = 0
    candidates = Application.objects.filter(
        state__in=(S.IN_REVIEW, S.SUPPLEMENT, S.REVIEWED, S.SUBMITTED, S.COMMUNITY_CHECKED),
        accepted_on__isnull=False,
    ).select_related("authority_region")
    for app in candidates:
        left = app.days_left(today)
        if left is None or app.clock_paused:
            continue
        if left > int(policy_for(app.authority_region.code)["reminder_days"]):
            continue
        if app.last_reminded_on == today:
            continue
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=app.pk)
            if locked.last_reminded_on == today:
                continue
            locked.last_reminded_on = today
            locked.save(update_fields=["last_reminded_on"])
            recipients = (
                _role_users(Role.STREET_OFFICER, app.address_code)
                if app.kind == "filing"
                else _bureau_users(app)
            )
            notify(
                recipients=recipients,
                kind="registration.deadline",
                title=(
                    _("%(number)s %(name)s 已超过法定时限 %(days)s 天")
                    % {"number": app.number, "name": app.name, "days": -left}
                    if left < 0
                    else _("%(number)s %(name)s 距法定时限还剩 %(days)s 天")
                    % {"number": app.number, "name": app.name, "days": left}
                ),
                url=reverse("registration:application-detail", args=[app.pk]),
                dedupe_key=f"deadline:{app.pk}:{today.isoformat()}",
            )
            count += 1
    return count
