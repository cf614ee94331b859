"""Who may manage which users, and what a user administrator may grant.

A user administrator (bureau staff flagged ``is_user_admin``) acts inside their own scope and
never grants more than they hold: the accounts they create or change get a region inside the
administrator's own region and a role no wider than the administrator's (a district bureau may
not make city bureau accounts), and a role whose reach is bounded by a region (the region roles,
the party officer) always gets one. Superusers manage everybody.

(``accounts`` sits below ``orgs``: these checks read the user's own fields, which are the
definition the scope object in ``orgs.scope`` is built from.)
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from npohub.core.permissions import ALLOW, Decision, deny, is_signed_in

from .models import BUREAU_ROLES, REGION_BOUND_ROLES, Role, User, Viewer
from .two_factor import has_second_factor, second_factor_required

# The roles an administrator can give at all (residents sign themselves up).
ASSIGNABLE_ROLES = frozenset(set(Role) - {Role.RESIDENT})
# Bureau roles by reach: an administrator gives its own level and the ones below, never above.
BUREAU_RANK: dict[str, int] = {Role.CITY_BUREAU: 2, Role.DISTRICT_BUREAU: 1}


def _admin_prefix(actor: Viewer) -> str:
    """The region prefix a (non-superuser) user administrator manages; "" when none."""
    if not isinstance(actor, User) or not is_signed_in(actor):
        return ""
    if actor.role in BUREAU_ROLES and actor.is_user_admin:
        return actor.scope_prefix or ""
    return ""


def can_manage_users(actor: Viewer) -> Decision:
    """Bureau staff flagged as user administrators manage users in their region; superusers all."""
    if not isinstance(actor, User) or not is_signed_in(actor):
        return deny(_("请先登录"))
    if actor.is_superuser or _admin_prefix(actor):
        return ALLOW
    return deny(_("只有民政局的用户管理员可以管理用户"))


def assignable_roles(actor: Viewer) -> frozenset[str]:
    """The roles this administrator may give: every assignable role for a superuser; for a
    bureau administrator the non-bureau roles and the bureau roles up to its own."""
    if not can_manage_users(actor):
        return frozenset()
    assert isinstance(actor, User)
    if actor.is_superuser:
        return frozenset(str(r) for r in ASSIGNABLE_ROLES)
    own = BUREAU_RANK.get(actor.role, 0)
    return frozenset(str(r) for r in ASSIGNABLE_ROLES if BUREAU_RANK.get(r, 0) <= own)


def can_manage_user(actor: Viewer, target: User) -> Decision:
    """The target user must sit inside the administrator's region and hold a role the
    administrator could give (a district administrator does not manage a city bureau account)."""
    decision = can_manage_users(actor)
    if not decision:
        return decision
    assert isinstance(actor, User)
    if actor.is_superuser:
        return ALLOW
    if target.is_superuser:
        return deny(_("不能管理系统管理员"))
    if not target.scope_prefix.startswith(_admin_prefix(actor)):
        return deny(_("该用户不在您的辖区内"))
    if target.role not in assignable_roles(actor):
        return deny(_("该用户的角色超出您可管理的范围"))
    return ALLOW


def can_assign_scope(actor: Viewer, *, role: str, scope_prefix: str) -> Decision:
    """A new or changed user may only receive a role the administrator may give and a region
    inside the administrator's own; roles bounded by a region must get one (a party officer
    without a region would reach organisations across the whole platform)."""
    decision = can_manage_users(actor)
    if not decision:
        return decision
    assert isinstance(actor, User)
    if actor.is_superuser:
        return ALLOW
    if role not in assignable_roles(actor):
        return deny(_("不能分配该角色"))
    if role in REGION_BOUND_ROLES and not scope_prefix:
        return deny(_("该角色必须指定所辖区划"))
    if scope_prefix and not scope_prefix.startswith(_admin_prefix(actor)):
        return deny(_("只能在本辖区范围内分配区划"))
    return ALLOW


# --- one's own account: password and second factor ------------------------------------------


def can_change_own_password(actor: Viewer) -> Decision:
    if not is_signed_in(actor):
        return deny(_("请先登录"))
    return ALLOW


def can_use_own_second_factor(actor: Viewer) -> Decision:
    """Enter a code, see or renew one's recovery codes."""
    if not is_signed_in(actor):
        return deny(_("请先登录"))
    return ALLOW


def can_enrol_second_factor(actor: Viewer, *, session_verified: bool) -> Decision:
    """Anyone signed in may set up an authenticator; replacing one needs a session verified
    with it (a password alone must not be enough to swap the second factor)."""
    if not is_signed_in(actor):
        return deny(_("请先登录"))
    if not session_verified and has_second_factor(actor):
        return deny(_("请先用现有的身份验证器完成验证，再更换身份验证器"))
    return ALLOW


def can_disable_second_factor(actor: Viewer) -> Decision:
    if not is_signed_in(actor):
        return deny(_("请先登录"))
    if second_factor_required(actor):
        return deny(_("您的角色必须使用两步验证，不能停用"))
    return ALLOW
