"""One scope: what part of the platform a user acts on, and the named questions apps ask of it.

A user's scope is a region (the code prefix of ``User.region``, for the region roles), the
organisations granted to them one by one with dates (``OrganizationAccess``: own account, hub
members, assigned reviews, party grants …), and the superuser's "everything". Every app asks
the same few questions — does the user cover this place, is the user the bureau of this place,
the registering bureau of this organisation, an account of that organisation — and each
question is answered here, once. Apps' permission checks call these instead of reading
``scope_prefix`` and roles themselves.

``scope_of(user)`` is cheap (no query); the grant questions run one small query each, on
demand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from npohub.accounts.models import BUREAU_ROLES, GRANT_ROLES, REGION_BOUND_ROLES, REGION_ROLES

from .models import AccessReason, OrganizationAccess

if TYPE_CHECKING:
    from npohub.accounts.models import User

    from .models import Organization


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def valid_grants(
    user_id: int, *, on: dt.date | None = None, reason: str = ""
) -> QuerySet[OrganizationAccess]:
    """The user's grants valid on ``on`` (today), of one ``reason`` when given."""
    today = on or timezone.localdate()
    grants = OrganizationAccess.objects.filter(user_id=user_id)
    if reason:
        grants = grants.filter(reason=reason)
    return grants.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today)).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )


@dataclass(frozen=True)
class Scope:
    """The scope of one user (or of nobody, for anonymous visitors)."""

    user: User | None
    role: str = ""
    prefix: str = ""  # the region prefix of a region role ("" when none)
    everything: bool = False  # the superuser

    # -- who

    @property
    def signed_in(self) -> bool:
        return self.user is not None

    @property
    def is_bureau(self) -> bool:
        """A civil-affairs bureau user with a region, or the superuser."""
        return self.everything or (self.role in BUREAU_ROLES and bool(self.prefix))

    @property
    def has_region(self) -> bool:
        return self.role in REGION_ROLES and bool(self.prefix)

    @property
    def bureau_prefix(self) -> str | None:
        """The bureau's region prefix; "" for the superuser (everything); None for the others."""
        if self.everything:
            return ""
        return self.prefix if self.is_bureau else None

    @property
    def home_code(self) -> str:
        """The code prefix of the user's own region whatever the role (a reviewer's or a hub's
        too), for local rules such as a province's deadlines; never a scope to filter by."""
        return str(self.user.scope_prefix or "") if self.user is not None else ""

    # -- places

    def covers(self, code: str) -> bool:
        """The user's region holds the place with this code (region roles; the superuser)."""
        if self.everything:
            return True
        return self.has_region and bool(code) and code.startswith(self.prefix)

    def is_bureau_for(self, code: str) -> bool:
        """The bureau whose region holds the place with this code."""
        return self.everything or (self.is_bureau and bool(code) and code.startswith(self.prefix))

    def is_address_bureau_for(self, org: Organization) -> bool:
        """The bureau of the place where the organisation sits."""
        return self.is_bureau_for(org.address_code)

    def is_registering_bureau_for(self, org: Organization) -> bool:
        """The bureau of the authority that registered the organisation."""
        if self.everything:
            return True
        authority = org.authority_region
        return authority is not None and self.is_bureau_for(authority.code)

    def is_bureau_for_org(self, org: Organization) -> bool:
        """The bureau of the organisation's place or of its registering authority."""
        return self.is_address_bureau_for(org) or self.is_registering_bureau_for(org)

    def is_bureau_for_codes(self, *, address_code: str, authority_code: str = "") -> bool:
        """The same question when only the codes are at hand (lists, reports)."""
        return self.is_bureau_for(address_code) or bool(
            authority_code and self.is_bureau_for(authority_code)
        )

    def region_q(self, field: str) -> Q | None:
        """The Q limiting ``field`` (a region code) to the user's region; None = everything."""
        if self.everything:
            return None
        if self.has_region:
            return Q(**{f"{field}__startswith": self.prefix})
        return Q(pk__in=[])

    # -- organisations granted one by one

    def granted_ids(self, *, reason: str = "", on: dt.date | None = None) -> QuerySet[Any]:
        """Ids of organisations granted to the user (valid on ``on``), as a subquery."""
        if self.user is None:
            return OrganizationAccess.objects.none().values("organization_id")
        return valid_grants(self.user.pk, on=on, reason=reason).values("organization_id")

    def is_granted(
        self, org_id: int | None, *, reason: str = "", on: dt.date | None = None
    ) -> bool:
        if org_id is None or self.user is None:
            return False
        return (
            valid_grants(self.user.pk, on=on, reason=reason).filter(organization_id=org_id).exists()
        )

    def assigned_ids(self, *, reason: str, on: dt.date | None = None) -> QuerySet[Any]:
        """Ids of the organisations assigned to a grant role for ``reason`` (valid on ``on``),
        kept to the user's own region when it has one (a party officer's grant outside its
        region gives nothing), as a subquery."""
        if self.user is None:
            return OrganizationAccess.objects.none().values("organization_id")
        grants = valid_grants(self.user.pk, on=on, reason=reason)
        if self.prefix and not self.everything:
            grants = grants.filter(organization__address_code__startswith=self.prefix)
        return grants.values("organization_id")

    def is_assigned(self, org: Organization, *, reason: str, on: dt.date | None = None) -> bool:
        """The same rule as :meth:`assigned_ids`, for one fetched organisation."""
        if self.prefix and not self.everything and not org.address_code.startswith(self.prefix):
            return False
        return self.is_granted(org.pk, reason=reason, on=on)

    # -- which organisations the user sees

    def organizations_q(self) -> Q | None:
        """The Q limiting organisations to the scope (None: everything): the granted ones, the
        ones in a region role's region and, for a bureau, the ones its authorities registered."""
        if self.everything:
            return None
        q = Q(pk__in=self.granted_ids())
        if self.has_region:
            q |= Q(address_code__startswith=self.prefix)
            if self.is_bureau:
                q |= Q(authority_region__code__startswith=self.prefix)
        return q

    def sees_organization(self, org: Organization) -> bool:
        """The same rule as :meth:`organizations_q`, for one fetched organisation."""
        if self.user is None:
            return False
        if self.everything:
            return True
        if self.role not in REGION_ROLES | GRANT_ROLES:
            return False
        if self.has_region and org.address_code.startswith(self.prefix):
            return True
        if self.is_bureau and self.is_registering_bureau_for(org):
            return True
        return self.is_granted(org.pk)

    def owns(self, org_id: int | None, *, on: dt.date | None = None) -> bool:
        """An account of the organisation itself (an OWN grant valid on ``on``)."""
        return self.is_granted(org_id, reason=AccessReason.OWN, on=on)


ANONYMOUS = Scope(user=None)


def scope_of(user: Any) -> Scope:
    """The user's scope (no query: built from the user row already loaded)."""
    if not _signed_in(user):
        return ANONYMOUS
    region_role = user.role in REGION_BOUND_ROLES
    return Scope(
        user=user,
        role=str(user.role or ""),
        prefix=str(user.scope_prefix or "") if region_role else "",
        everything=bool(user.is_superuser),
    )


def organization_accounts(org_id: int, *, on: dt.date | None = None) -> list[User]:
    """The active user accounts of an organisation (its OWN grants valid today)."""
    from npohub.accounts.models import User

    return list(
        User.objects.filter(
            is_active=True, pk__in=valid_grants_for_org(org_id, on=on).values("user_id")
        ).order_by("pk")
    )


def organizations_accounts(org_ids: Iterable[int], *, on: dt.date | None = None) -> QuerySet[User]:
    """The active accounts of any of these organisations (their OWN grants valid on ``on``)."""
    from npohub.accounts.models import User

    today = on or timezone.localdate()
    grants = (
        OrganizationAccess.objects.filter(
            organization_id__in=list(org_ids), reason=AccessReason.OWN
        )
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    )
    return User.objects.filter(is_active=True, pk__in=grants.values("user_id")).order_by("pk")


def valid_grants_for_org(
    org_id: int, *, on: dt.date | None = None, reason: str = AccessReason.OWN
) -> QuerySet[OrganizationAccess]:
    today = on or timezone.localdate()
    return (
        OrganizationAccess.objects.filter(organization_id=org_id, reason=reason)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    )


def organization_grantees(org_id: int, *, reason: str, on: dt.date | None = None) -> list[User]:
    """The active users granted the organisation for ``reason`` (valid on ``on``): its
    supervisory unit's reviewers (``supervised``), its own accounts (``own``) …"""
    from npohub.accounts.models import User

    grants = valid_grants_for_org(org_id, on=on, reason=reason)
    return list(User.objects.filter(is_active=True, pk__in=grants.values("user_id")).order_by("pk"))


def region_users(code: str, *, roles: Iterable[str] = BUREAU_ROLES) -> QuerySet[User]:
    """The active users of ``roles`` whose region holds the place ``code`` (the place's own
    region or one above it): the bureaus to tell about something there, its street …"""
    from npohub.accounts.models import User

    prefixes = {code[:n] for n in (2, 4, 6, 9, 12) if n <= len(code)}
    return User.objects.filter(
        is_active=True, role__in=list(roles), scope_prefix__in=prefixes
    ).order_by("pk")


__all__ = [
    "ANONYMOUS",
    "GRANT_ROLES",
    "Scope",
    "organization_accounts",
    "organization_grantees",
    "organizations_accounts",
    "region_users",
    "scope_of",
    "valid_grants",
    "valid_grants_for_org",
]
