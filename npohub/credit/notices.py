"""Notifications to an organisation's own accounts about its credit."""

from __future__ import annotations

from npohub.accounts.models import User
from npohub.notifications.services import notify
from npohub.orgs.models import Organization
from npohub.orgs.scope import organization_accounts


def notify_organization(
    org: Organization, *, kind: str, title: str, body: str = "", actor: User | None = None
) -> int:
    """Tell the organisation's accounts (its valid own grants, ``orgs.scope``)."""
    users = organization_accounts(org.pk)
    if not users:
        return 0
    return notify(
        recipients=users,
        kind=kind,
        title=title,
        body=body,
        url=f"/credit/organizations/{org.pk}/",
        actor=actor if isinstance(actor, User) and actor.is_authenticated else None,
    )
