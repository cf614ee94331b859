"""Who may manage which users."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from npohub.core.permissions import ALLOW, Decision, deny, is_signed_in

from .models import BUREAU_ROLES, REGION_ROLES, Role, User
from .two_factor import has_second_factor, second_factor_required

# A bureau user administrator may create these roles within their own region.
ASSIGNABLE_ROLES = frozenset(set(Role) - {Role.RESIDENT})


def can_manage_users(actor: Any) -> Decision:
    """Bureau staff flagged as user administrators manage users in their region; superusers all."""
    if not is_signed_in(actor):
        return deny(_("请先登录"))
    if actor.is_superuser:
        return ALLOW
    if actor.role in BUREAU_ROLES and actor.is_user_admin and actor.scope_prefix:
        return ALLOW
    return deny(_("只有民政局的用户管理员可以管理用户"))


def can_manage_user(actor: Any, target: User) -> Decision:
    """The target user must sit inside the administrator's region (and not above it)."""
    decision = can_manage_users(actor)
    if not decision or actor.is_superuser:
        return decision
    if target.is_superuser:
        return deny(_("不能管理系统管理员"))
    if not target.scope_prefix.startswith(actor.scope_prefix):
        return deny(_("该用户不在您的辖区内"))
    return ALLOW


def can_assign_scope(actor: Any, *, role: str, scope_prefix: str) -> Decision:
    """A new or changed user may only receive a region inside the administrator's own."""
    decision = can_manage_users(actor)
    if not decision or actor.is_superuser:
        return decision
    if role not in ASSIGNABLE_ROLES:
        return deny(_("不能分配该角色"))
    if role in REGION_ROLES and not scope_prefix:
        return deny(_("该角色必须指定所辖区划"))
    if scope_prefix and not scope_prefix.startswith(actor.scope_prefix):
        return deny(_("只能在本辖区范围内分配区划"))
    if not scope_prefix and role not in REGION_ROLES:
        return ALLOW
    return ALLOW


# --- one's own account: password and second factor ------------------------------------------


def can_change_own_password(actor: Any) -> Decision:
    if not is_signed_in(actor):
        return deny(_("请先登录"))
    return ALLOW


def can_use_own_second_factor(actor: Any) -> Decision:
    """Enter a code, see or renew one's recovery codes."""
    if not is_signed_in(actor):
        return deny(_("请先登录"))
    return ALLOW


def can_enrol_second_factor(actor: Any, *, session_verified: bool) -> Decision:
    """Anyone signed in may set up an authenticator; replacing one needs a session verified
    with it (a password alone must not be enough to swap the second factor)."""
    if not is_signed_in(actor):
        return deny(_("请先登录"))
    if not session_verified and has_second_factor(actor):
        return deny(_("请先用现有的身份验证器完成验证，再更换身份验证器"))
    return ALLOW


def can_disable_second_factor(actor: Any) -> Decision:
    if not is_signed_in(actor):
        return deny(_("请先登录"))
    if second_factor_required(actor):
        return deny(_("您的角色必须使用两步验证，不能停用"))
    return ALLOW
