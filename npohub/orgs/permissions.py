"""Who may do what to organisations. Each check returns a Decision with a reason.

Whether a user may *see* an organisation at all is answered by the scoped selectors
(``organization_list_for`` / ``organization_get_for``); these checks answer what they may do.
``organization_view`` is the one answer for one record — what the user may do with it and which
personal data is masked — read by the staff page and the API alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from npohub.accounts.models import BUREAU_ROLES, Role, Viewer
from npohub.core.permissions import ALLOW, Decision, deny
from npohub.core.validators import mask_id_number, mask_phone

from .models import STATUS_TRANSITIONS, Kind, Organization
from .scope import scope_of

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

STAFF_LIST_ROLES = frozenset(set(Role) - {Role.RESIDENT})
# Recorded fields (history, "as of" snapshots) that are personal data: the organisation's
# contact phone is often an officer's own mobile.
PERSONAL_PHONE_FIELDS = frozenset({"phone", "legal_representative_phone"})
PERSONAL_ID_FIELDS = frozenset({"legal_representative_id_number"})


def can_list_organizations(user: Viewer) -> Decision:
    """Every signed-in staff or organisation role has a (scoped) organisation list."""
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    if scope.everything or scope.role in STAFF_LIST_ROLES:
        return ALLOW
    return deny(_("您的角色没有组织名录"))


def can_create_organization(user: Viewer, *, kind: str, address_code: str) -> Decision:
    """Bureau staff add organisations in their region; streets also add filed groups in theirs."""
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    if scope.everything:
        return ALLOW
    if kind == Kind.COMMUNITY_GROUP:
        allowed_roles = BUREAU_ROLES | {Role.STREET_OFFICER}
    else:
        allowed_roles = BUREAU_ROLES
    if scope.role not in allowed_roles:
        return deny(
            _("您的角色不能登记此类组织")
            if kind != Kind.COMMUNITY_GROUP
            else _("您的角色不能备案社区社会组织")
        )
    if not scope.covers(address_code):
        return deny(_("该组织住所不在您的辖区内"))
    return ALLOW


def creatable_kinds(user: Viewer) -> list[tuple[str, StrOrPromise]]:
    """Kinds this user may add somewhere in their own region (for the 新增组织 button)."""
    scope = scope_of(user)
    home = "" if scope.everything else scope.prefix
    return [
        (value, label)
        for value, label in Kind.choices
        if can_create_organization(user, kind=value, address_code=home)
    ]


def can_edit_organization(user: Viewer, org: Organization) -> Decision:
    """Registry fields are kept by the bureau (and by the street for its filed groups)."""
    if org.is_closed:
        return deny(_("已注销或撤销的组织不能修改"))
    return can_create_organization(user, kind=org.kind, address_code=org.address_code)


def can_change_status(user: Viewer, org: Organization) -> Decision:
    """Status changes (abnormal, suspended, deregistered, revoked) are bureau decisions."""
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    if scope.everything:
        return ALLOW
    if (
        org.kind == Kind.COMMUNITY_GROUP
        and scope.role == Role.STREET_OFFICER
        and scope.covers(org.address_code)
    ):
        return ALLOW
    if scope.role not in BUREAU_ROLES:
        return deny(_("只有民政局可以变更组织状态"))
    if not scope.covers(org.address_code):
        return deny(_("该组织不在您的辖区内"))
    return ALLOW


def can_import(user: Viewer, *, kind: str) -> Decision:
    """Imports are writes: the same roles that may create that kind of organisation."""
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    if scope.everything:
        return ALLOW
    if kind == Kind.COMMUNITY_GROUP and scope.role in BUREAU_ROLES | {Role.STREET_OFFICER}:
        return ALLOW
    if kind != Kind.COMMUNITY_GROUP and scope.role in BUREAU_ROLES:
        return ALLOW
    return deny(_("您的角色不能导入此类组织"))


def can_see_personal_data(user: Viewer, org: Organization | None = None) -> Decision:
    """ID numbers and phones: bureau staff of the organisation's place, and the organisation's
    own account. Without ``org``: whether the user may see them anywhere (bureau staff)."""
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    if scope.everything:
        return ALLOW
    if scope.role in BUREAU_ROLES and (org is None or scope.is_address_bureau_for(org)):
        return ALLOW
    if org is not None and scope.role == Role.ORG_USER and scope.owns(org.pk):
        return ALLOW
    return deny(_("个人信息已脱敏"))


@dataclass(frozen=True)
class OrganizationView:
    """What one user may do with one organisation and see of it; the page and the API read
    this (and mask through it), so both show the same for every role."""

    sees_personal_data: bool  # ID numbers and phones unmasked
    editable: bool
    may_change_status: bool

    def id_number(self, value: str | None) -> str:
        text = value or ""
        return text if self.sees_personal_data else mask_id_number(text)

    def phone(self, value: str | None) -> str:
        text = value or ""
        return text if self.sees_personal_data else mask_phone(text)

    def recorded(self, field: str, value: Any) -> Any:
        """A recorded field's value (history, "as of"), masked when it is personal data."""
        if self.sees_personal_data or value in (None, ""):
            return value
        if field in PERSONAL_PHONE_FIELDS:
            return mask_phone(str(value))
        if field in PERSONAL_ID_FIELDS:
            return mask_id_number(str(value))
        return value


def organization_view(user: Viewer, org: Organization) -> OrganizationView:
    """The one answer to "what may this user do with this organisation, what is masked"."""
    return OrganizationView(
        sees_personal_data=bool(can_see_personal_data(user, org)),
        editable=bool(can_edit_organization(user, org)),
        may_change_status=bool(can_change_status(user, org))
        and bool(STATUS_TRANSITIONS[org.status]),
    )
