"""Who may do what with hubs, federations, platforms and pairings. Each check returns a Decision.

* The bureau (city/district, in its region) recognises and revokes hubs, keeps rosters, runs
  platforms and pairings, and works escalations.
* The street office keeps its own street's federation, roster and three lists.
* Hub staff act for the bureau over their current members only: notices, escalations,
  first-line reviews; they may also keep their platforms' visit and honour records and their
  street's lists (federation staff).
* The party officer is a grant role: it reads the hubs whose organisation it is assigned
  (``party`` grants inside its region, see ``selectors.hub_visible_to``) and their rosters;
  staff accounts, first-line opinions and scores, notices and escalations are not part of that
  assignment (:func:`hub_view`).

Every place and grant question is answered by the one scope (``npohub.orgs.scope``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from npohub.accounts.models import BUREAU_ROLES, Role, User
from npohub.core.permissions import ALLOW, Decision, deny, is_signed_in
from npohub.core.workflows import NO_CAPACITY, Capacities
from npohub.orgs.models import Organization
from npohub.orgs.scope import scope_of

from .models import Escalation, EscalationState, Hub, HubStatus, ServicePlatform
from .selectors import (
    Viewer,
    is_federation_staff_for_street,
    member_ids_for_user,
    staff_hub_ids,
)

# Roles that have hub pages at all (each then sees only its own part, see selectors).
HUB_ROLES = frozenset(
    {*BUREAU_ROLES, Role.STREET_OFFICER, Role.COMMUNITY_WORKER, Role.HUB_STAFF, Role.PARTY_OFFICER}
)


def _signed_in(user: Viewer) -> User | None:
    """The user when signed in and active (so the checks below may read its role)."""
    return user if isinstance(user, User) and is_signed_in(user) else None


def _hub_code(hub: Hub) -> str:
    """The code a bureau must cover to govern the hub: its scope region, else its address."""
    return hub.scope_prefix or hub.organization.address_code


def is_party_officer(user: Viewer) -> bool:
    """A party-building officer (not the superuser): a grant role in the hub pages."""
    member = _signed_in(user)
    return member is not None and not member.is_superuser and member.role == Role.PARTY_OFFICER


# --- pages ------------------------------------------------------------------------------------


def can_view_hubs(user: Viewer) -> Decision:
    member = _signed_in(user)
    if member is None:
        return deny(_("请先登录"))
    if member.is_superuser or member.role in HUB_ROLES:
        return ALLOW
    return deny(_("您的角色不能查看枢纽组织"))


def can_open_bureau_pages(user: Viewer) -> Decision:
    """The bureau's forms (recognise a hub, set up a platform, pair organisations): a bureau
    user with a region, or the superuser; the services then check the place."""
    if not _signed_in(user):
        return deny(_("请先登录"))
    if scope_of(user).is_bureau:
        return ALLOW
    return deny(_("只有民政局可以办理"))


def can_create_federations(user: Viewer) -> Decision:
    """The federation form: street offices and the bureaus above them (their own region)."""
    member = _signed_in(user)
    if member is None:
        return deny(_("请先登录"))
    scope = scope_of(member)
    if scope.everything or (
        member.role in (Role.STREET_OFFICER, *BUREAU_ROLES) and scope.has_region
    ):
        return ALLOW
    return deny(_("只有本街道或上级民政部门可以管理联合会"))


# --- hubs -------------------------------------------------------------------------------------


def can_recognise_hub(user: Viewer, org: Organization, *, region_code: str = "") -> Decision:
    """The bureau whose region holds the organisation (and the scope region, when given)."""
    member = _signed_in(user)
    if member is None:
        return deny(_("请先登录"))
    scope = scope_of(member)
    if scope.everything:
        return ALLOW
    if not scope.is_bureau:
        return deny(_("只有民政局可以认定枢纽型社会组织"))
    if not scope.is_bureau_for_org(org):
        return deny(_("该组织不在您的辖区内"))
    if region_code and not scope.is_bureau_for(region_code):
        return deny(_("认定范围超出您的辖区"))
    return ALLOW


def can_govern_hub(user: Viewer, hub: Hub) -> Decision:
    """Revoke, keep the roster and the staff: the bureau over the hub's scope (or, for a street
    federation, the street office itself)."""
    member = _signed_in(user)
    if member is None:
        return deny(_("请先登录"))
    scope = scope_of(member)
    if scope.is_bureau_for(_hub_code(hub)):
        return ALLOW
    if (
        member.role == Role.STREET_OFFICER
        and len(hub.scope_prefix) >= 9
        and scope.covers(hub.scope_prefix)
    ):
        return ALLOW
    return deny(_("只有该枢纽所在辖区的民政局（联合会为所在街道）可以管理"))


def can_keep_roster(user: Viewer, hub: Hub) -> Decision:
    decision = can_govern_hub(user, hub)
    if not decision:
        return decision
    if hub.status != HubStatus.RECOGNISED:
        return deny(_("该枢纽认定已撤销"))
    return ALLOW


def can_act_for_members(user: Viewer, hub: Hub) -> Decision:
    """Notices, escalations, first-line reviews: the staff of a current hub."""
    member = _signed_in(user)
    if member is None:
        return deny(_("请先登录"))
    if member.role != Role.HUB_STAFF or hub.pk not in staff_hub_ids(member):
        return deny(_("只有该枢纽在认定有效期内的工作人员可以代表民政局开展此项工作"))
    return ALLOW


def can_act_on_member(user: Viewer, hub: Hub, org: Organization) -> Decision:
    decision = can_act_for_members(user, hub)
    if not decision:
        return decision
    if (
        org.pk not in member_ids_for_user(user)
        or not hub.memberships.filter(organization_id=org.pk, left_on__isnull=True).exists()
    ):
        return deny(_("该组织不是本枢纽的成员"))
    return ALLOW


@dataclass(frozen=True)
class HubView:
    """One answer to "what may this user do with this hub, and which parts does it see"; the
    hub page, the roster's review page and the API all read it. It is asked only of a hub the
    user may see (``selectors.hub_get_for``)."""

    may_govern: bool  # revoke the recognition, remove staff
    may_keep_roster: bool  # add members and staff, agreements, leaving
    may_act: bool  # notices, escalations, first-line reviews (the hub's own staff)
    sees_roster: bool
    sees_staff: bool  # the staff accounts (their names and user names)
    sees_reviews: bool  # first-line opinions and scores
    sees_notices: bool
    sees_escalations: bool


def hub_view(user: Viewer, hub: Hub) -> HubView:
    """Everyone who sees the hub sees all of it, except the party officer, whose assignment
    needs the hub and its roster only."""
    work = not is_party_officer(user)
    return HubView(
        may_govern=bool(can_govern_hub(user, hub)) and hub.status == HubStatus.RECOGNISED,
        may_keep_roster=bool(can_keep_roster(user, hub)),
        may_act=bool(can_act_for_members(user, hub)),
        sees_roster=True,
        sees_staff=work,
        sees_reviews=work,
        sees_notices=work,
        sees_escalations=work,
    )


def can_see_part(sees: bool) -> Decision:
    """A part of a hub the user sees (``HubView.sees_*``); the refusal names no part."""
    return ALLOW if sees else deny(_("您的工作范围不包括这部分内容"))


# --- escalations, platforms, federations, pairings ----------------------------------------------


def can_work_escalation(user: Viewer, esc: Escalation) -> Decision:
    if not _signed_in(user):
        return deny(_("请先登录"))
    if not scope_of(user).is_bureau_for(esc.region_code):
        return deny(_("只有受理辖区的民政局可以办理上报事项"))
    if esc.state == EscalationState.RESOLVED:
        return deny(_("该事项已办结"))
    return ALLOW


def escalation_capacities(user: Viewer, esc: Escalation) -> Capacities:
    """The workflow resolver: a bureau user of the receiving region works the escalation."""
    if _signed_in(user) and scope_of(user).is_bureau_for(esc.region_code):
        return Capacities(held=frozenset({"bureau"}))
    return NO_CAPACITY


def escalation_refusal() -> str:
    return _("只有受理辖区的民政局可以办理上报事项")


def may_handle_escalation(assignee: User, esc: Escalation) -> bool:
    """An account the escalation may be handed to: an active bureau user of its region."""
    return scope_of(assignee).is_bureau_for(esc.region_code)


def can_manage_platform(user: Viewer, region_code: str) -> Decision:
    if not _signed_in(user):
        return deny(_("请先登录"))
    if scope_of(user).is_bureau_for(region_code):
        return ALLOW
    return deny(_("只有所在辖区的民政局可以管理服务平台"))


def can_record_platform_activity(user: Viewer, platform: ServicePlatform) -> Decision:
    """Visits and honours: the bureau over the platform, or the staff of its operating hub."""
    if can_manage_platform(user, platform.region_code):
        return ALLOW
    member = _signed_in(user)
    if member is not None and platform.operator_id in staff_hub_ids(member):
        return ALLOW
    return deny(_("只有运营该平台的枢纽或所在辖区民政局可以记录"))


def can_manage_federation(user: Viewer, street_code: str) -> Decision:
    """Set up or change the street's federation: the street office or the bureau above it."""
    member = _signed_in(user)
    if member is None:
        return deny(_("请先登录"))
    scope = scope_of(member)
    if scope.everything or (
        member.role in (Role.STREET_OFFICER, *BUREAU_ROLES) and scope.covers(street_code)
    ):
        return ALLOW
    return deny(_("只有本街道或上级民政部门可以管理联合会"))


def can_keep_street_lists(user: Viewer, street_code: str) -> Decision:
    """The three lists: the street office, the bureau above it, or the street federation's staff."""
    if can_manage_federation(user, street_code):
        return ALLOW
    if _signed_in(user) and is_federation_staff_for_street(user, street_code):
        return ALLOW
    return deny(_("只有本街道、上级民政部门或本街道联合会可以维护清单"))


def can_manage_pairing(user: Viewer, group: Organization) -> Decision:
    if not _signed_in(user):
        return deny(_("请先登录"))
    if scope_of(user).is_bureau_for(group.address_code):
        return ALLOW
    return deny(_("只有社区社会组织所在辖区的民政局可以安排结对共建"))
