"""Who may do what to organisations. Each check returns a Decision with a reason.

Whether a user may *see* an organisation at all is answered by the scoped selectors
(``organization_list_for`` / ``organization_get_for``); these checks answer what they may do.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from npohub.accounts.models import BUREAU_ROLES, Role
from npohub.core.permissions import ALLOW, Decision, deny, is_signed_in

from .models import Kind, Organization
from .scope import scope_of

STAFF_LIST_ROLES = frozenset(set(Role) - {Role.RESIDENT})


def can_list_organizations(user: Any) -> Decision:
    """Every signed-in staff or organisation role has a (scoped) organisation list."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if user.is_superuser or user.role in STAFF_LIST_ROLES:
        return ALLOW
    return deny(_("您的角色没有组织名录"))


def can_create_organization(user: Any, *, kind: str, address_code: str) -> Decision:
    """Bureau staff add organisations in their region; streets also add filed groups in theirs."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if user.is_superuser:
        return ALLOW
    if kind == Kind.COMMUNITY_GROUP:
        allowed_roles = BUREAU_ROLES | {Role.STREET_OFFICER}
    else:
        allowed_roles = BUREAU_ROLES
    if user.role not in allowed_roles:
        return deny(
            _("您的角色不能登记此类组织")
            if kind != Kind.COMMUNITY_GROUP
            else _("您的角色不能备案社区社会组织")
        )
    if not scope_of(user).covers(address_code):
        return deny(_("该组织住所不在您的辖区内"))
    return ALLOW


def can_edit_organization(user: Any, org: Organization) -> Decision:
    """Registry fields are kept by the bureau (and by the street for its filed groups)."""
    if org.is_closed:
        return deny(_("已注销或撤销的组织不能修改"))
    return can_create_organization(user, kind=org.kind, address_code=org.address_code)


def can_change_status(user: Any, org: Organization) -> Decision:
    """Status changes (abnormal, suspended, deregistered, revoked) are bureau decisions."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if user.is_superuser:
        return ALLOW
    if (
        org.kind == Kind.COMMUNITY_GROUP
        and user.role == Role.STREET_OFFICER
        and scope_of(user).covers(org.address_code)
    ):
        return ALLOW
    if user.role not in BUREAU_ROLES:
        return deny(_("只有民政局可以变更组织状态"))
    if not scope_of(user).covers(org.address_code):
        return deny(_("该组织不在您的辖区内"))
    return ALLOW


def can_import(user: Any, *, kind: str) -> Decision:
    """Imports are writes: the same roles that may create that kind of organisation."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if user.is_superuser:
        return ALLOW
    if kind == Kind.COMMUNITY_GROUP and user.role in BUREAU_ROLES | {Role.STREET_OFFICER}:
        return ALLOW
    if kind != Kind.COMMUNITY_GROUP and user.role in BUREAU_ROLES:
        return ALLOW
    return deny(_("您的角色不能导入此类组织"))


def can_see_personal_data(user: Any, org: Organization | None = None) -> Decision:
    """ID numbers and personal phones: bureau staff in scope, and the organisation itself."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if user.is_superuser:
        return ALLOW
    if user.role in BUREAU_ROLES and (org is None or scope_of(user).covers(org.address_code)):
        return ALLOW
    if org is not None and user.role == Role.ORG_USER and scope_of(user).owns(org.pk):
        return ALLOW
    return deny(_("个人信息已脱敏"))
