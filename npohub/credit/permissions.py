"""Who may act on credit information: bureaus of the organisation's region, its own users."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import BUREAU_ROLES
from npohub.core.permissions import ALLOW, Decision, deny, is_signed_in
from npohub.orgs.models import AccessReason, Organization, OrganizationAccess


def is_bureau_for_org(user: Any, org: Organization) -> bool:
    """A bureau whose region holds the organisation's address or its registering authority."""
    if not is_signed_in(user):
        return False
    if user.is_superuser:
        return True
    prefix = getattr(user, "scope_prefix", "") or ""
    if user.role not in BUREAU_ROLES or not prefix:
        return False
    if org.address_code.startswith(prefix):
        return True
    authority = org.authority_region
    return authority is not None and authority.code.startswith(prefix)


def is_bureau(user: Any) -> bool:
    return is_signed_in(user) and (user.is_superuser or user.role in BUREAU_ROLES)


def owns_organization(user: Any, org_id: int) -> bool:
    """An organisation account of ``org_id`` (an OWN grant valid today)."""
    if not is_signed_in(user):
        return False
    today = timezone.localdate()
    return (
        OrganizationAccess.objects.filter(
            user_id=user.pk, organization_id=org_id, reason=AccessReason.OWN
        )
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .exists()
    )


def can_enter_fact(user: Any, org: Organization) -> Decision:
    """Only a bureau of the organisation's region enters credit information by hand."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if not is_bureau_for_org(user, org):
        return deny(_("只有该组织所属辖区的民政部门可以录入信用信息"))
    return ALLOW


def can_decide_request(user: Any, org: Organization) -> Decision:
    """Objections and repair applications are decided by the organisation's bureau."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if not is_bureau_for_org(user, org):
        return deny(_("只有该组织所属辖区的民政部门可以处理异议和信用修复申请"))
    return ALLOW


def can_file_request(user: Any, org: Organization) -> Decision:
    """Only the organisation's own account files an objection or a repair application."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if not owns_organization(user, org.pk):
        return deny(_("只有本组织账号可以提出异议或申请信用修复"))
    return ALLOW


def can_manage_credit(user: Any) -> Decision:
    """Rules, barred persons, evaluation runs: bureau staff only."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if not is_bureau(user):
        return deny(_("只有民政部门可以执行此操作"))
    return ALLOW


def can_manage_rules(user: Any) -> Decision:
    """Only a city bureau (or an administrator) adjusts the local listing rules."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if not (user.is_superuser or user.role == "city_bureau"):
        return deny(_("只有市级民政部门可以调整列入规则"))
    return ALLOW


def can_record_contact(user: Any, org: Organization) -> Decision:
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if not is_bureau_for_org(user, org):
        return deny(_("只有该组织所属辖区的民政部门可以登记联系记录"))
    return ALLOW
