"""Who may see and keep party-building data.

Party data is not public and not for every staff role: only the civil-affairs bureaus (their
region, as a whole) and party-building officers see it. Everyone else gets the 404 of a missing
page, so the existence of party records leaks nothing.

The party officer is a grant role (issue 20): it sees the organisations it is assigned
(``OrganizationAccess`` with reason ``party``, inside its own region when it has one) and the
party records that touch them — their party organisations, the work stations at or linked to
them, the instructors assigned to them — and nothing else. It keeps its units' party records
(party organisations, their members and coverage, staff party members); work stations and
instructors, with their budgets and appointments, are kept by the bureau of their region.
Every place and grant question is answered by the one scope (``npohub.orgs.scope``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from npohub.accounts.models import BUREAU_ROLES, Role, User
from npohub.core.permissions import ALLOW, Decision, deny, is_signed_in
from npohub.orgs.models import AccessReason, Organization
from npohub.orgs.scope import Scope, scope_of

from .models import Instructor, PartyCoverage, PartyOrganization

Viewer = User | AnonymousUser
PARTY_ROLES = frozenset({*BUREAU_ROLES, Role.PARTY_OFFICER})


def _signed_in(user: Viewer | None) -> User | None:
    return user if isinstance(user, User) and is_signed_in(user) else None


def is_party_officer(user: Viewer | None) -> bool:
    """A party-building officer (not the superuser): a grant role."""
    member = _signed_in(user)
    return member is not None and not member.is_superuser and member.role == Role.PARTY_OFFICER


def party_region_prefix(user: Viewer | None) -> str:
    """The region that frames the user's party pages ('' when none): a bureau keeps party work
    in all of it; for a party officer it only bounds the units it is assigned."""
    member = _signed_in(user)
    if member is None or member.role not in PARTY_ROLES:
        return ""
    return str(member.scope_prefix or "")


def _bureau_scope(user: Viewer | None) -> Scope | None:
    """The scope of a bureau user or of the superuser (who keep party work by region)."""
    scope = scope_of(user)
    return scope if scope.is_bureau else None


def assigned_units(user: Viewer | None) -> QuerySet[Any]:
    """Ids of the organisations assigned to a party officer (a subquery; none for others)."""
    if not is_party_officer(user):
        return Organization.objects.none().values("pk")
    return scope_of(user).assigned_ids(reason=AccessReason.PARTY)


# --- pages ------------------------------------------------------------------------------------


def can_view_party(user: Viewer | None) -> Decision:
    """Party data: party-building officers and the bureau only."""
    member = _signed_in(user)
    if member is None:
        return deny(_("请先登录"))
    if member.is_superuser or member.role in PARTY_ROLES:
        return ALLOW
    return deny(_("党建数据仅向党建工作人员和民政局开放"))


def covers_region(user: Viewer | None, region_code: str) -> bool:
    """The user keeps party work for the whole region of ``region_code``: the bureau whose
    region holds it (the superuser's holds every one). A party officer covers no region."""
    scope = _bureau_scope(user)
    return scope is not None and scope.is_bureau_for(region_code)


def keeps_a_region(user: Viewer | None) -> bool:
    """Work stations and instructors are kept by region: the bureau (and the superuser)."""
    return _bureau_scope(user) is not None


def can_manage_party_in(user: Viewer | None, region_code: str) -> Decision:
    """Work stations and instructors (and a party organisation placed by region only) are kept
    within one's own region, by the bureau."""
    decision = can_view_party(user)
    if not decision:
        return decision
    if covers_region(user, region_code):
        return ALLOW
    if is_party_officer(user):
        return deny(_("党建工作人员只维护分配给本人的单位的党建信息"))
    return deny(_("该区划不在您的党建工作范围内"))


# --- organisations ------------------------------------------------------------------------------


def units_q(user: Viewer | None) -> Q | None:
    """Organisations whose party data the user may see; None means every one."""
    if not can_view_party(user):
        return Q(pk__in=[])
    scope = scope_of(user)
    if scope.everything:
        return None
    if is_party_officer(user):
        return Q(pk__in=assigned_units(user))
    if scope.is_bureau:
        return Q(address_code__startswith=scope.prefix) | Q(
            authority_region__code__startswith=scope.prefix
        )
    return Q(pk__in=[])


def organization_in_party_scope(user: Viewer | None, org: Organization) -> bool:
    """The same rule as :func:`units_q`, for one fetched organisation."""
    if not can_view_party(user):
        return False
    scope = scope_of(user)
    if is_party_officer(user):
        return scope.is_assigned(org, reason=AccessReason.PARTY)
    return scope.is_bureau_for_org(org)


def can_record_for_organization(user: Viewer | None, org: Organization) -> Decision:
    """Staff party-member figures, coverage and instructor links: the unit is in scope."""
    decision = can_view_party(user)
    if not decision:
        return decision
    if not organization_in_party_scope(user, org):
        return deny(_("该组织不在您的党建工作范围内"))
    return ALLOW


# --- party organisations -------------------------------------------------------------------------


def touches_assigned_units(user: Viewer | None, po: PartyOrganization) -> bool:
    """The party organisation sits in or covers (now or once) a unit the officer is assigned."""
    here = Q(party_coverages__party_organization=po)
    if po.host_organization_id is not None:
        here |= Q(pk=po.host_organization_id)
    return Organization.objects.filter(here, pk__in=assigned_units(user)).exists()


def can_keep_party_organization(user: Viewer | None, po: PartyOrganization) -> Decision:
    """Correct, dissolve, count members, change coverage: the bureau of its region, or a party
    officer when it belongs to one of the officer's units."""
    decision = can_view_party(user)
    if not decision:
        return decision
    if covers_region(user, po.region_code):
        return ALLOW
    if is_party_officer(user) and touches_assigned_units(user, po):
        return ALLOW
    return deny(_("该党组织不在您的党建工作范围内"))


def can_place_party_organization(user: Viewer | None, region_code: str) -> Decision:
    """Where a party organisation may sit: in the bureau's region; for a party officer, in its
    own region (when it has one)."""
    decision = can_view_party(user)
    if not decision:
        return decision
    if covers_region(user, region_code):
        return ALLOW
    if is_party_officer(user):
        prefix = party_region_prefix(user)
        if not prefix or region_code.startswith(prefix):
            return ALLOW
    return deny(_("该区划不在您的党建工作范围内"))


def can_create_party_organization(
    user: Viewer | None,
    *,
    region_code: str,
    host: Organization | None,
    covered: list[Organization],
) -> Decision:
    """The bureau of the region; a party officer for its own units only: the unit it sits in,
    or (a joint branch) every unit it covers."""
    if covers_region(user, region_code):
        return can_view_party(user)
    if not is_party_officer(user):
        return can_manage_party_in(user, region_code)
    units = [u for u in (host, *covered) if u is not None]
    if not units or not all(organization_in_party_scope(user, u) for u in units):
        return deny(_("党建工作人员只能为分配给本人的单位建立党组织"))
    return can_place_party_organization(user, region_code)


def can_keep_coverage(user: Viewer | None, coverage: PartyCoverage) -> Decision:
    """End a unit's coverage: who keeps the party organisation, and (a party officer) the unit
    is its own."""
    decision = can_keep_party_organization(user, coverage.party_organization)
    if not decision or not is_party_officer(user):
        return decision
    return can_record_for_organization(user, coverage.organization)


def may_create_party_organizations(user: Viewer | None) -> bool:
    """The "set up a party organisation" page: the bureau, the party officers."""
    return keeps_a_region(user) or is_party_officer(user)


# --- one view of a record ----------------------------------------------------------------------


@dataclass(frozen=True)
class PartyOrganizationView:
    """What the user may do with a party organisation it sees, and whether the secretary's
    phone is shown (masked otherwise); the page and the API both read it."""

    may_manage: bool
    sees_phone: bool


def party_organization_view(user: Viewer | None, po: PartyOrganization) -> PartyOrganizationView:
    keeps = bool(can_keep_party_organization(user, po))
    return PartyOrganizationView(may_manage=keeps and not po.dissolved_on, sees_phone=keeps)


@dataclass(frozen=True)
class InstructorView:
    """What the user may do with an instructor it sees, and whether the instructor's phone is
    shown (masked otherwise): who keeps the instructor, the bureau of its region."""

    may_manage: bool
    sees_phone: bool


def instructor_view(user: Viewer | None, instructor: Instructor) -> InstructorView:
    keeps = bool(can_manage_party_in(user, instructor.region_code))
    return InstructorView(may_manage=keeps and instructor.ended_on is None, sees_phone=keeps)
