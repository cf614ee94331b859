"""Who hears about an annual report's move (the workflow's notifier). The people are the one
scope's answers: the organisation's accounts, its supervisory unit's reviewers, the bureaus of
its place (``npohub.orgs.scope``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from npohub.accounts.models import BUREAU_ROLES, User
from npohub.notifications.services import notify
from npohub.orgs.models import AccessReason
from npohub.orgs.scope import organization_accounts, organization_grantees, region_users

from .models import AnnualReport, S


def notify_move(report: AnnualReport, move: str, actor: User | None) -> None:
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
            recipients=organization_grantees(
                report.organization_id, reason=AccessReason.SUPERVISED
            ),
            kind="supervision.to_review",
            title=title,
            url=url,
            actor=user,
        )
    elif report.state == S.SUBMITTED and move in ("submit", "supervisor_approve"):
        notify(
            recipients=list(region_users(report.address_code, roles=BUREAU_ROLES)),
            kind="supervision.to_review",
            title=title,
            url=url,
            actor=user,
        )
    notify(
        recipients=organization_accounts(report.organization_id),
        kind="supervision.update",
        title=title,
        url=url,
        actor=user,
    )
