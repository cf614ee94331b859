"""Who hears about an annual report's move (the workflow's notifier) and the user lists it and
the deadline reminders use."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from npohub.accounts.models import BUREAU_ROLES, User
from npohub.notifications.services import notify
from npohub.orgs.models import AccessReason, OrganizationAccess

from .models import AnnualReport, S


def region_users(roles: Iterable[str], code: str) -> list[User]:
    prefixes = {code[:n] for n in (2, 4, 6, 9, 12)}
    return list(
        User.objects.filter(is_active=True, role__in=list(roles), scope_prefix__in=prefixes)
    )


def granted_users(org_id: int, reason: str) -> list[User]:
    ids = OrganizationAccess.objects.filter(organization_id=org_id, reason=reason).values("user_id")
    return list(User.objects.filter(is_active=True, pk__in=ids))


def notify_move(report: AnnualReport, move: str, actor: Any) -> None:
    url = reverse("supervision:report-detail", args=[report.pk])
    name = report.organization.name
    title = _("%(name)s %(year)s年度报告：%(state)s") % {
        "name": name,
        "year": report.year,
        "state": report.state_label,
    }
    user = actor if isinstance(actor, User) else None
    if move == "submit" and report.state == S.SUPERVISOR_REVIEW:
        notify(
            recipients=granted_users(report.organization_id, AccessReason.SUPERVISED),
            kind="supervision.to_review",
            title=title,
            url=url,
            actor=user,
        )
    elif report.state == S.SUBMITTED and move in ("submit", "supervisor_approve"):
        notify(
            recipients=region_users(BUREAU_ROLES, report.address_code),
            kind="supervision.to_review",
            title=title,
            url=url,
            actor=user,
        )
    notify(
        recipients=granted_users(report.organization_id, AccessReason.OWN),
        kind="supervision.update",
        title=title,
        url=url,
        actor=user,
    )
