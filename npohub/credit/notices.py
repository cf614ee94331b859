"""Notifications to an organisation's own accounts about its credit."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from npohub.accounts.models import User
from npohub.notifications.services import notify
from npohub.orgs.models import AccessReason, Organization


def organization_users(org: Organization) -> list[User]:
    today = timezone.localdate()
    return list(
        User.objects.filter(
            is_active=True,
            organization_grants__organization=org,
            organization_grants__reason=AccessReason.OWN,
        )
        .exclude(organization_grants__valid_until__lt=today)
        .distinct()
    )


def notify_organization(
    org: Organization, *, kind: str, title: str, body: str = "", actor: Any = None
) -> int:
    users = organization_users(org)
    if not users:
        return 0
    return notify(
        recipients=users,
        kind=kind,
        title=title,
        body=body,
        url=f"/credit/organizations/{org.pk}/",
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
    )
