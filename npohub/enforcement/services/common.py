"""Small helpers shared by the enforcement services: who is signed in, whom to tell."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from npohub.accounts.models import User
from npohub.orgs.models import AccessReason, Organization, OrganizationAccess


def _user(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _region_users(code: str, roles: Iterable[str]) -> list[User]:
    prefixes = {code[:n] for n in (2, 4, 6, 9, 12)}
    return list(
        User.objects.filter(is_active=True, role__in=list(roles), scope_prefix__in=prefixes)
    )


def _owners(org: Organization) -> list[User]:
    return [
        g.user
        for g in OrganizationAccess.objects.filter(
            organization_id=org.pk, reason=AccessReason.OWN
        ).select_related("user")
        if g.user.is_active
    ]
