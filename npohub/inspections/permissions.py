"""Who may plan, draw, inspect and follow up spot checks (each answer with a Chinese reason).

* A plan belongs to the registration authority of its region: the bureau staff whose scope
  covers the authority region manage it (create, edit, commit, draw, publish, close) and its
  inspector pool.
* Inspectors see and record only the checks they are assigned to (an active assignment).
* The organisation's own account reports its rectification; the bureau or an assigned
  inspector verifies it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from npohub.accounts.models import BUREAU_ROLES, Role, User
from npohub.core.permissions import ALLOW, Decision, deny
from npohub.core.workflows import NO_CAPACITY, Capacities
from npohub.orgs import conflicts
from npohub.orgs.scope import scope_of

from .models import Inspector, RectificationOrder, SpotCheck, SpotCheckPlan
from .workflows import INSPECTOR, MANAGER, WORKING_STATES

# Whoever asks: a signed-in user, or an anonymous visitor (who may do nothing).
Viewer = User | AnonymousUser

# Roles that may be entered in the inspector pool (rule 37: inspectors and bureau staff).
POOL_ROLES = frozenset({Role.INSPECTOR, *BUREAU_ROLES})


# ---------------------------------------------------------------------------------------------
# Which pages a user opens (the menu and the pages agree; the services decide every action)


def sees_plans(user: Viewer) -> bool:
    """Plans, and the pool's entry form: bureau staff (and the superuser)."""
    scope = scope_of(user)
    return scope.everything or scope.role in BUREAU_ROLES


def sees_checks(user: Viewer) -> bool:
    """Checks and the pool: bureau staff and inspectors."""
    return sees_plans(user) or scope_of(user).role == Role.INSPECTOR


def is_assigned(user: Viewer, check: SpotCheck) -> bool:
    me = scope_of(user).user
    if me is None:
        return False
    return check.assignments.filter(user_id=me.pk, is_active=True).exists()


def manages_region(user: Viewer, code: str) -> bool:
    """The bureau of the registration authority with this region code (its plans, checks and
    inspector pool)."""
    return scope_of(user).is_bureau_for(code)


def can_manage_plans(user: Viewer, authority_code: str) -> Decision:
    """The registration authority of the region plans and draws its spot checks."""
    if not scope_of(user).signed_in:
        return deny(_("请先登录"))
    if manages_region(user, authority_code):
        return ALLOW
    return deny(plan_refusal())


def can_manage_plan(user: Viewer, plan: SpotCheckPlan) -> Decision:
    return can_manage_plans(user, plan.authority_region.code)


def plan_refusal() -> str:
    return _("只有该区划的登记管理机关可以制定和抽取抽查计划")


def plan_capacities(user: Viewer, plan: SpotCheckPlan) -> Capacities:
    """The workflow engine's resolver for plans: ``manager`` for the authority's bureau."""
    if can_manage_plan(user, plan):
        return Capacities(frozenset({MANAGER}))
    return NO_CAPACITY


def works_on_check(user: Viewer, check: SpotCheck) -> bool:
    """An assigned inspector or the bureau of the plan's authority, whatever the plan's state."""
    return manages_region(user, check.plan.authority_region.code) or is_assigned(user, check)


def check_refusal() -> str:
    return _("只有被抽中的检查人员或登记管理机关可以记录检查情况")


def plan_not_working() -> str:
    return _("抽查计划未处于检查阶段（须先公开随机种子和抽查名单）")


def can_work_on_check(user: Viewer, check: SpotCheck) -> Decision:
    """Record notices, findings, conclusions and orders: assigned inspectors or the bureau,
    while the plan is being carried out."""
    if not scope_of(user).signed_in:
        return deny(_("请先登录"))
    if not works_on_check(user, check):
        return deny(check_refusal())
    if check.plan.state not in WORKING_STATES:
        return deny(plan_not_working())
    return ALLOW


def check_capacities(user: Viewer, check: SpotCheck) -> Capacities:
    """The workflow engine's resolver for checks: ``inspector`` (the plan's state is a guard)."""
    if works_on_check(user, check):
        return Capacities(frozenset({INSPECTOR}))
    return NO_CAPACITY


def can_report_rectification(user: Viewer, order: RectificationOrder) -> Decision:
    check = order.spot_check
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    if scope.owns(check.organization_id):
        return ALLOW
    if works_on_check(user, check):
        return ALLOW
    return deny(_("只有被检查组织、检查人员或登记管理机关可以报告整改情况"))


def can_verify_rectification(user: Viewer, order: RectificationOrder) -> Decision:
    check = order.spot_check
    if not scope_of(user).signed_in:
        return deny(_("请先登录"))
    if works_on_check(user, check):
        return ALLOW
    return deny(_("只有检查人员或登记管理机关可以核查整改情况"))


def can_manage_pool(user: Viewer, region_code: str) -> Decision:
    if not scope_of(user).signed_in:
        return deny(_("请先登录"))
    if manages_region(user, region_code):
        return ALLOW
    return deny(_("只有该区划的登记管理机关可以管理检查人员名录"))


def can_declare_conflict(user: Viewer, entry: Inspector) -> Decision:
    """The inspector declares (and withdraws) their own conflicts; the bureau keeping the pool
    records them too (``orgs.conflicts``: the same rule for every panel)."""
    return conflicts.can_declare_conflict(
        user,
        declarant_id=entry.user_id,
        keeps_register=manages_region(user, entry.region.code),
        refusal=_("只有检查人员本人或登记管理机关可以申报回避"),
    )


# ---------------------------------------------------------------------------------------------
# One view of each record: the HTML page and the API render from these


@dataclass(frozen=True)
class InspectorView:
    """What one user may do with an inspector's pool entry, and what of it they see."""

    manages: bool  # the bureau keeping the pool: edits the entry
    sees_personal_data: bool  # the ID number whole (else masked)
    sees_conflicts: bool  # the declared conflicts and their reasons
    may_declare_conflict: bool


def inspector_view(user: Viewer, entry: Inspector) -> InspectorView:
    """The one answer to "what may this user do with this pool entry, what is masked": the
    inspector and the bureau keeping the pool see the ID number whole and the declared
    conflicts, nobody else does."""
    manages = manages_region(user, entry.region.code)
    me = scope_of(user).user
    own = me is not None and entry.user_id == me.pk
    return InspectorView(
        manages=manages,
        sees_personal_data=manages or own,
        sees_conflicts=manages or own,
        may_declare_conflict=bool(can_declare_conflict(user, entry)),
    )
