"""Who may manage which users."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from npohub.core.permissions import ALLOW, Decision, deny, is_signed_in

from .models import BUREAU_ROLES, REGION_ROLES, Role, User

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
