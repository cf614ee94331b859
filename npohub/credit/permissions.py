"""Who may act on credit information: bureaus of the organisation's region, its own users; and
what one user sees of a barred person.

Every place and grant question is answered by the one scope (``npohub.orgs.scope``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from npohub.accounts.models import Role, User
from npohub.core.permissions import ALLOW, Decision, deny
from npohub.orgs.models import Organization
from npohub.orgs.scope import scope_of

from .models import BarredPerson

# Whoever asks: a signed-in user, or an anonymous visitor (who may do nothing).
Viewer = User | AnonymousUser

# Roles besides the bureau that read the credit lists of their region.
LIST_READER_ROLES = frozenset({Role.STREET_OFFICER, Role.COMMUNITY_WORKER})


def can_enter_fact(user: Viewer, org: Organization) -> Decision:
    """Only a bureau of the organisation's region enters credit information by hand."""
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    if not scope.is_bureau_for_org(org):
        return deny(_("只有该组织所属辖区的民政部门可以录入信用信息"))
    return ALLOW


def can_resolve_fact(user: Viewer, org: Organization) -> Decision:
    """The bureau of the organisation's region records that an obligation was fulfilled."""
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    if not scope.is_bureau_for_org(org):
        return deny(_("只有该组织所属辖区的民政部门可以登记履行/整改"))
    return ALLOW


def can_decide_request(user: Viewer, org: Organization) -> Decision:
    """Objections and repair applications are decided by the organisation's bureau."""
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    if not scope.is_bureau_for_org(org):
        return deny(_("只有该组织所属辖区的民政部门可以处理异议和信用修复申请"))
    return ALLOW


def can_file_request(user: Viewer, org: Organization) -> Decision:
    """Only the organisation's own account files an objection or a repair application."""
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    if not scope.owns(org.pk):
        return deny(_("只有本组织账号可以提出异议或申请信用修复"))
    return ALLOW


def can_manage_credit(user: Viewer) -> Decision:
    """The bureau's credit desk (requests, rules, barred persons, contacts, late entries,
    evaluation runs): bureau staff only. The list page's buttons and the pages agree."""
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    if not scope.is_bureau:
        return deny(_("只有民政部门可以执行此操作"))
    return ALLOW


def sees_credit_desk(user: Viewer) -> bool:
    """The menu's 异议与信用修复 entry and the home page's requests to decide."""
    return bool(can_manage_credit(user))


def can_view_lists(user: Viewer) -> Decision:
    """The staff pages of both lists: the bureau, streets and communities of the region."""
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    if scope.is_bureau or (scope.has_region and scope.role in LIST_READER_ROLES):
        return ALLOW
    return deny(_("您的角色不能查看信用名单"))


def sees_credit_lists(user: Viewer) -> bool:
    """The menu's 信用名单 entry."""
    return bool(can_view_lists(user))


def is_org_user(user: Viewer) -> bool:
    """An organisation account (the menu's 本组织信用 entry)."""
    scope = scope_of(user)
    return scope.signed_in and not scope.everything and scope.role == Role.ORG_USER


def can_manage_rules(user: Viewer) -> Decision:
    """Only a city bureau (or an administrator) adjusts the local listing rules."""
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    if not (scope.everything or scope.role == Role.CITY_BUREAU):
        return deny(_("只有市级民政部门可以调整列入规则"))
    return ALLOW


def can_record_contact(user: Viewer, org: Organization) -> Decision:
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    if not scope.is_bureau_for_org(org):
        return deny(_("只有该组织所属辖区的民政部门可以登记联系记录"))
    return ALLOW


@dataclass(frozen=True)
class BarredPersonView:
    """What one user sees of a barred person and may do with the record; the page and the API
    render from it. The ID number is shown masked to everyone (the register is searched by the
    full number; nobody needs to read it back)."""

    sees_record: bool  # the bureau's register
    sees_id_number: bool  # the ID number unmasked
    may_lift: bool  # lift a restriction still in force


def barred_person_view(user: Viewer, barred: BarredPerson) -> BarredPersonView:
    """The one answer to "what may this user do with this barred person, what is masked"."""
    desk = bool(can_manage_credit(user))
    return BarredPersonView(
        sees_record=desk, sees_id_number=False, may_lift=desk and barred.lifted_on is None
    )
