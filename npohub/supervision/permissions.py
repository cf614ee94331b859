"""Who may do what with annual reports.

A transition in ``workflows.py`` names a *capacity*; ``capacities_of`` answers which ones a
user holds for one report: ``organization`` (an own-organisation account), ``supervisor`` (a
业务主管单位 reviewer granted the organisation with reason ``supervised``) and ``bureau`` (a
bureau whose region covers the organisation's address or registering authority).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import BUREAU_ROLES, GRANT_ROLES, REGION_ROLES, Role
from npohub.core.permissions import ALLOW, Decision, deny, is_signed_in
from npohub.core.workflows import Capacities, Transition
from npohub.orgs.models import AccessReason, Organization, OrganizationAccess

from .models import EDITABLE_STATES, AnnualReport

CAPACITY_REFUSAL = {
    "organization": lambda: _("只有本组织的账号可以执行此操作"),
    "supervisor": lambda: _("只有该组织的业务主管单位可以初审"),
    "bureau": lambda: _("只有辖区登记管理机关可以执行此操作"),
}


def _granted(user: Any, org_id: int, reason: str, *, on: dt.date | None = None) -> bool:
    today = on or timezone.localdate()
    return (
        OrganizationAccess.objects.filter(user_id=user.pk, organization_id=org_id, reason=reason)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .exists()
    )


def is_bureau_for(user: Any, *, address_code: str, authority_code: str = "") -> bool:
    """A bureau whose region holds the organisation's address or its registering authority."""
    if not is_signed_in(user):
        return False
    if user.is_superuser:
        return True
    prefix = user.scope_prefix or ""
    if user.role not in BUREAU_ROLES or not prefix:
        return False
    return address_code.startswith(prefix) or bool(
        authority_code and authority_code.startswith(prefix)
    )


def owns(user: Any, org_id: int) -> bool:
    return is_signed_in(user) and (user.is_superuser or _granted(user, org_id, AccessReason.OWN))


def supervises(user: Any, org_id: int) -> bool:
    if not is_signed_in(user):
        return False
    if user.is_superuser:
        return True
    return user.role == Role.REVIEWER and _granted(user, org_id, AccessReason.SUPERVISED)


def capacities_of(user: Any, report: AnnualReport) -> set[str]:
    """The capacities the user holds for this report."""
    held: set[str] = set()
    if not is_signed_in(user):
        return held
    if owns(user, report.organization_id):
        held.add("organization")
    if report.is_dual_managed and supervises(user, report.organization_id):
        held.add("supervisor")
    if is_bureau_for(user, address_code=report.address_code, authority_code=report.authority_code):
        held.add("bureau")
    return held


def report_capacities(user: Any, report: AnnualReport) -> Capacities:
    """The workflow's resolver (``workflows.WORKFLOW``): the capacities ``user`` holds."""
    return Capacities(held=frozenset(capacities_of(user, report)))


def can_list_reports(user: Any) -> Decision:
    """Region staff and granted roles see the reports of the organisations they may see."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if user.is_superuser or user.role in REGION_ROLES | GRANT_ROLES:
        return ALLOW
    return deny(_("您的角色不能查看年度报告"))


def can_create_report(user: Any, org: Organization) -> Decision:
    """The organisation's own account, or its bureau (for an organisation filing on paper)."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if org.kind == "community_group":
        return deny(_("备案的社区社会组织不参加年度检查"))
    authority = (
        org.authority_region.code if org.authority_region_id and org.authority_region else ""
    )
    if owns(user, org.pk) or is_bureau_for(
        user, address_code=org.address_code, authority_code=authority
    ):
        return ALLOW
    return deny(_("只有本组织的账号或登记管理机关可以填报年度报告"))


def can_edit_report(user: Any, report: AnnualReport) -> Decision:
    """The organisation edits its report while it holds it (draft or returned)."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if "organization" not in capacities_of(user, report):
        return deny(CAPACITY_REFUSAL["organization"]())
    if report.state not in EDITABLE_STATES:
        return deny(_("报告已提交，不能修改"))
    return ALLOW


def can_make(user: Any, report: AnnualReport, move: Transition) -> Decision:
    """The user holds the capacity the transition names."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if move.capacity in capacities_of(user, report):
        return ALLOW
    return deny(CAPACITY_REFUSAL[move.capacity]())


def can_change_attachments(user: Any, report: AnnualReport) -> Decision:
    """Attachments are added and removed by the organisation while it holds the report."""
    decision = can_edit_report(user, report)
    if (
        not decision
        and report.state not in EDITABLE_STATES
        and is_signed_in(user)
        and "organization" in capacities_of(user, report)
    ):
        return deny(_("报告已提交，附件不能再增删"))
    return decision


def can_view_dashboard(user: Any) -> Decision:
    """Bureaus and streets see submission rates for their region."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if user.is_superuser:
        return ALLOW
    if user.scope_prefix and (user.role in BUREAU_ROLES or user.role == Role.STREET_OFFICER):
        return ALLOW
    return deny(_("只有民政部门和街道可以查看年报统计"))
