"""Who may plan, draw, inspect and follow up spot checks (each answer with a Chinese reason).

* A plan belongs to the registration authority of its region: the bureau staff whose scope
  covers the authority region manage it (create, edit, commit, draw, publish, close) and its
  inspector pool.
* Inspectors see and record only the checks they are assigned to (an active assignment).
* The organisation's own account reports its rectification; the bureau or an assigned
  inspector verifies it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import BUREAU_ROLES, Role
from npohub.core.permissions import ALLOW, Decision, deny, is_signed_in
from npohub.core.workflows import NO_CAPACITY, Capacities
from npohub.orgs.models import AccessReason, OrganizationAccess

from .models import Inspector, RectificationOrder, SpotCheck, SpotCheckPlan
from .workflows import INSPECTOR, MANAGER, WORKING_STATES

# Roles that may be entered in the inspector pool (rule 37: inspectors and bureau staff).
POOL_ROLES = frozenset({Role.INSPECTOR, *BUREAU_ROLES})


def is_bureau_for(user: Any, code: str) -> bool:
    """Bureau staff whose region covers ``code`` (the superuser covers everything)."""
    if not is_signed_in(user):
        return False
    if user.is_superuser:
        return True
    prefix = user.scope_prefix or ""
    return user.role in BUREAU_ROLES and bool(prefix) and code.startswith(prefix)


def is_assigned(user: Any, check: SpotCheck) -> bool:
    if not is_signed_in(user):
        return False
    return check.assignments.filter(user_id=user.pk, is_active=True).exists()


def owns_organization(user: Any, org_id: int, *, on: dt.date | None = None) -> bool:
    if not is_signed_in(user):
        return False
    today = on or timezone.localdate()
    return (
        OrganizationAccess.objects.filter(
            user_id=user.pk, organization_id=org_id, reason=AccessReason.OWN
        )
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .exists()
    )


def can_manage_plans(user: Any, authority_code: str) -> Decision:
    """The registration authority of the region plans and draws its spot checks."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if is_bureau_for(user, authority_code):
        return ALLOW
    return deny(plan_refusal())


def can_manage_plan(user: Any, plan: SpotCheckPlan) -> Decision:
    return can_manage_plans(user, plan.authority_region.code)


def plan_refusal() -> str:
    return _("只有该区划的登记管理机关可以制定和抽取抽查计划")


def plan_capacities(user: Any, plan: SpotCheckPlan) -> Capacities:
    """The workflow engine's resolver for plans: ``manager`` for the authority's bureau."""
    if can_manage_plan(user, plan):
        return Capacities(frozenset({MANAGER}))
    return NO_CAPACITY


def works_on_check(user: Any, check: SpotCheck) -> bool:
    """An assigned inspector or the bureau of the plan's authority, whatever the plan's state."""
    return is_bureau_for(user, check.plan.authority_region.code) or is_assigned(user, check)


def check_refusal() -> str:
    return _("只有被抽中的检查人员或登记管理机关可以记录检查情况")


def plan_not_working() -> str:
    return _("抽查计划未处于检查阶段（须先公开随机种子和抽查名单）")


def can_work_on_check(user: Any, check: SpotCheck) -> Decision:
    """Record notices, findings, conclusions and orders: assigned inspectors or the bureau,
    while the plan is being carried out."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if not works_on_check(user, check):
        return deny(check_refusal())
    if check.plan.state not in WORKING_STATES:
        return deny(plan_not_working())
    return ALLOW


def check_capacities(user: Any, check: SpotCheck) -> Capacities:
    """The workflow engine's resolver for checks: ``inspector`` (the plan's state is a guard)."""
    if works_on_check(user, check):
        return Capacities(frozenset({INSPECTOR}))
    return NO_CAPACITY


def can_report_rectification(user: Any, order: RectificationOrder) -> Decision:
    check = order.spot_check
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if owns_organization(user, check.organization_id):
        return ALLOW
    if is_bureau_for(user, check.plan.authority_region.code) or is_assigned(user, check):
        return ALLOW
    return deny(_("只有被检查组织、检查人员或登记管理机关可以报告整改情况"))


def can_verify_rectification(user: Any, order: RectificationOrder) -> Decision:
    check = order.spot_check
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if is_bureau_for(user, check.plan.authority_region.code) or is_assigned(user, check):
        return ALLOW
    return deny(_("只有检查人员或登记管理机关可以核查整改情况"))


def can_manage_pool(user: Any, region_code: str) -> Decision:
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if is_bureau_for(user, region_code):
        return ALLOW
    return deny(_("只有该区划的登记管理机关可以管理检查人员名录"))


def can_declare_conflict(user: Any, entry: Inspector) -> Decision:
    """The inspector declares their own conflicts; the bureau records them too."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if entry.user_id == user.pk or is_bureau_for(user, entry.region.code):
        return ALLOW
    return deny(_("只有检查人员本人或登记管理机关可以申报回避"))
