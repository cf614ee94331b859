"""Who may do what with hubs, federations, platforms and pairings. Each check returns a Decision.

* The bureau (city/district, in its region) recognises and revokes hubs, keeps rosters, runs
  platforms and pairings, and works escalations.
* The street office keeps its own street's federation, roster and three lists.
* Hub staff act for the bureau over their current members only: notices, escalations,
  first-line reviews; they may also keep their platforms' visit and honour records and their
  street's lists (federation staff).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from npohub.accounts.models import BUREAU_ROLES, Role
from npohub.core.permissions import ALLOW, Decision, deny, is_signed_in
from npohub.orgs.models import Organization

from .models import Escalation, EscalationState, Hub, HubStatus, ServicePlatform
from .selectors import is_federation_staff_for_street, member_ids_for_user, staff_hub_ids


def _covers(user: Any, code: str) -> bool:
    prefix = getattr(user, "scope_prefix", "") or ""
    return bool(prefix) and code.startswith(prefix)


def _bureau_covers(user: Any, code: str) -> bool:
    return user.role in BUREAU_ROLES and _covers(user, code)


def _hub_code(hub: Hub) -> str:
    """The code a bureau must cover to govern the hub: its scope region, else its address."""
    return hub.scope_prefix or hub.organization.address_code


def can_view_hubs(user: Any) -> Decision:
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if user.is_superuser or user.role in {
        *BUREAU_ROLES,
        Role.STREET_OFFICER,
        Role.COMMUNITY_WORKER,
        Role.HUB_STAFF,
        Role.PARTY_OFFICER,
    }:
        return ALLOW
    return deny(_("您的角色不能查看枢纽组织"))


def can_recognise_hub(user: Any, org: Organization, *, region_code: str = "") -> Decision:
    """The bureau whose region holds the organisation (and the scope region, when given)."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if user.is_superuser:
        return ALLOW
    if user.role not in BUREAU_ROLES:
        return deny(_("只有民政局可以认定枢纽型社会组织"))
    authority = org.authority_region.code if org.authority_region_id else ""  # type: ignore[union-attr]
    if not (_covers(user, org.address_code) or _covers(user, authority)):
        return deny(_("该组织不在您的辖区内"))
    if region_code and not _covers(user, region_code):
        return deny(_("认定范围超出您的辖区"))
    return ALLOW


def can_govern_hub(user: Any, hub: Hub) -> Decision:
    """Revoke, keep the roster and the staff: the bureau over the hub's scope (or, for a street
    federation, the street office itself)."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if user.is_superuser:
        return ALLOW
    code = _hub_code(hub)
    if _bureau_covers(user, code):
        return ALLOW
    if (
        user.role == Role.STREET_OFFICER
        and hub.scope_prefix
        and len(hub.scope_prefix) >= 9
        and _covers(user, hub.scope_prefix)
    ):
        return ALLOW
    return deny(_("只有该枢纽所在辖区的民政局（联合会为所在街道）可以管理"))


def can_keep_roster(user: Any, hub: Hub) -> Decision:
    decision = can_govern_hub(user, hub)
    if not decision:
        return decision
    if hub.status != HubStatus.RECOGNISED:
        return deny(_("该枢纽认定已撤销"))
    return ALLOW


def can_act_for_members(user: Any, hub: Hub) -> Decision:
    """Notices, escalations, first-line reviews: the staff of a current hub."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if user.role != Role.HUB_STAFF or hub.pk not in staff_hub_ids(user):
        return deny(_("只有该枢纽在认定有效期内的工作人员可以代表民政局开展此项工作"))
    return ALLOW


def can_act_on_member(user: Any, hub: Hub, org: Organization) -> Decision:
    decision = can_act_for_members(user, hub)
    if not decision:
        return decision
    if (
        org.pk not in member_ids_for_user(user)
        or not hub.memberships.filter(organization_id=org.pk, left_on__isnull=True).exists()
    ):
        return deny(_("该组织不是本枢纽的成员"))
    return ALLOW


def can_work_escalation(user: Any, esc: Escalation) -> Decision:
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if not (user.is_superuser or _bureau_covers(user, esc.region_code)):
        return deny(_("只有受理辖区的民政局可以办理上报事项"))
    if esc.state == EscalationState.RESOLVED:
        return deny(_("该事项已办结"))
    return ALLOW


def can_manage_platform(user: Any, region_code: str) -> Decision:
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if user.is_superuser or _bureau_covers(user, region_code):
        return ALLOW
    return deny(_("只有所在辖区的民政局可以管理服务平台"))


def can_record_platform_activity(user: Any, platform: ServicePlatform) -> Decision:
    """Visits and honours: the bureau over the platform, or the staff of its operating hub."""
    if can_manage_platform(user, platform.region_code):
        return ALLOW
    if is_signed_in(user) and platform.operator_id in staff_hub_ids(user):
        return ALLOW
    return deny(_("只有运营该平台的枢纽或所在辖区民政局可以记录"))


def can_manage_federation(user: Any, street_code: str) -> Decision:
    """Set up or change the street's federation: the street office or the bureau above it."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if user.is_superuser or (
        user.role in (Role.STREET_OFFICER, *BUREAU_ROLES) and _covers(user, street_code)
    ):
        return ALLOW
    return deny(_("只有本街道或上级民政部门可以管理联合会"))


def can_keep_street_lists(user: Any, street_code: str) -> Decision:
    """The three lists: the street office, the bureau above it, or the street federation's staff."""
    if can_manage_federation(user, street_code):
        return ALLOW
    if is_signed_in(user) and is_federation_staff_for_street(user, street_code):
        return ALLOW
    return deny(_("只有本街道、上级民政部门或本街道联合会可以维护清单"))


def can_manage_pairing(user: Any, group: Organization) -> Decision:
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if user.is_superuser or _bureau_covers(user, group.address_code):
        return ALLOW
    return deny(_("只有社区社会组织所在辖区的民政局可以安排结对共建"))
