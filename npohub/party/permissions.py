"""Who may see and keep party-building data.

Party data is not public and not for every staff role: only party-building officers (Role
``party_officer``: their region, and the organisations granted to them with reason ``party``)
and the civil-affairs bureaus (their region) see it. Everyone else gets the 404 of a missing
page, so the existence of party records leaks nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import BUREAU_ROLES, Role
from npohub.core.permissions import ALLOW, Decision, deny, is_signed_in
from npohub.orgs.models import AccessReason, Organization, OrganizationAccess

PARTY_ROLES = frozenset({*BUREAU_ROLES, Role.PARTY_OFFICER})


def party_region_prefix(user: Any) -> str:
    """The region prefix of the user's party scope ('' when they have none)."""
    if not is_signed_in(user) or user.role not in PARTY_ROLES:
        return ""
    return str(user.scope_prefix or "")


def party_grant_ids(user: Any, *, on: dt.date | None = None) -> set[int]:
    """Organisations granted to a party officer one by one (reason ``party``, valid today)."""
    if not is_signed_in(user) or user.role != Role.PARTY_OFFICER:
        return set()
    today = on or timezone.localdate()
    return set(
        OrganizationAccess.objects.filter(user_id=user.pk, reason=AccessReason.PARTY)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .values_list("organization_id", flat=True)
    )


def can_view_party(user: Any) -> Decision:
    """Party data: party-building officers and the bureau only."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if user.is_superuser or user.role in PARTY_ROLES:
        return ALLOW
    return deny(_("党建数据仅向党建工作人员和民政局开放"))


def covers_region(user: Any, region_code: str) -> bool:
    """The user's party region contains ``region_code`` (the superuser's contains every one)."""
    if not is_signed_in(user):
        return False
    if user.is_superuser:
        return True
    prefix = party_region_prefix(user)
    return bool(prefix) and region_code.startswith(prefix)


def can_manage_party_in(user: Any, region_code: str) -> Decision:
    """Party organisations, work stations and instructors are kept within one's own region."""
    decision = can_view_party(user)
    if not decision:
        return decision
    if not covers_region(user, region_code):
        return deny(_("该区划不在您的党建工作范围内"))
    return ALLOW


def organization_in_party_scope(user: Any, org: Organization) -> bool:
    """The same rule as ``selectors.organization_party_scope_q``, for one fetched organisation."""
    if not can_view_party(user):
        return False
    if user.is_superuser or covers_region(user, org.address_code):
        return True
    if user.role in BUREAU_ROLES and user.scope_prefix:
        authority = org.authority_region
        if authority is not None and authority.code.startswith(user.scope_prefix):
            return True
    return org.pk in party_grant_ids(user)


def can_record_for_organization(user: Any, org: Organization) -> Decision:
    """Staff party-member figures and instructor links: any party user with the unit in scope."""
    decision = can_view_party(user)
    if not decision:
        return decision
    if not organization_in_party_scope(user, org):
        return deny(_("该组织不在您的党建工作范围内"))
    return ALLOW
