"""Who may do what in grade assessment. Each check answers with a Chinese reason."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from npohub.accounts.models import BUREAU_ROLES, Role
from npohub.core.permissions import ALLOW, Decision, deny, is_signed_in
from npohub.core.workflows import NO_CAPACITY, Capacities
from npohub.orgs.models import AccessReason, OrganizationAccess

from .models import Application, Assignment, Expert, Grade, Objection, ObjectionState, Round
from .workflows import BUREAU, RS, TREE_EDITABLE


def is_bureau(user: Any) -> bool:
    """A civil-affairs bureau user with a region (or the superuser)."""
    if not is_signed_in(user):
        return False
    return bool(user.is_superuser or (user.role in BUREAU_ROLES and user.scope_prefix))


def covers(user: Any, code: str) -> bool:
    """The bureau user's region contains the place with this code."""
    if not is_signed_in(user):
        return False
    if user.is_superuser:
        return True
    return bool(
        user.role in BUREAU_ROLES and user.scope_prefix and code.startswith(user.scope_prefix)
    )


def owns(user: Any, organization_id: int) -> bool:
    """The user is the organisation's own account (an ``own`` grant)."""
    if not is_signed_in(user) or user.role != Role.ORG_USER:
        return False
    return OrganizationAccess.objects.filter(
        user_id=user.pk, organization_id=organization_id, reason=AccessReason.OWN
    ).exists()


def can_create_round(user: Any, region: Any) -> Decision:
    """A bureau runs rounds for its own region or a region inside it."""
    if not covers(user, region.code):
        return deny(_("只有该辖区的民政部门可以组织等级评估"))
    return ALLOW


def can_manage_round(user: Any, round: Round) -> Decision:
    """The bureau whose region contains the round's region runs it."""
    if not covers(user, round.region.code):
        return deny(_("只有组织本轮评估的民政部门可以执行此操作"))
    return ALLOW


def round_capacities(user: Any, round: Round) -> Capacities:
    """The workflow engine's resolver: the bureau that runs the round makes its moves."""
    if can_manage_round(user, round):
        return Capacities(held=frozenset({BUREAU}))
    return NO_CAPACITY


def can_edit_tree(user: Any, round: Round) -> Decision:
    """The indicator tree changes only before scoring starts."""
    decision = can_manage_round(user, round)
    if not decision:
        return decision
    if round.state not in TREE_EDITABLE:
        return deny(_("专家评分开始后不能再修改本轮的指标体系"))
    return ALLOW


def can_apply(user: Any, round: Round, organization: Any) -> Decision:
    """While applications are open, the organisation applies itself or the bureau records it."""
    if round.state != RS.APPLICATIONS:
        return deny(_("本轮评估当前不受理申报"))
    if not organization.address_code.startswith(round.region.prefix):
        return deny(_("该组织不在本轮评估的辖区内"))
    if covers(user, round.region.code) or owns(user, organization.pk):
        return ALLOW
    return deny(_("只有该组织或组织评估的民政部门可以申报"))


def can_manage_experts(user: Any, region: Any = None) -> Decision:
    """The bureaus of a city keep its expert pool."""
    if not is_bureau(user):
        return deny(_("只有民政部门可以管理评估专家库"))
    if region is not None and not user.is_superuser and region.code[:4] != user.scope_prefix[:4]:
        return deny(_("只能管理本市的评估专家库"))
    return ALLOW


def keeps_pool(user: Any, expert: Expert) -> bool:
    """A bureau of the pool's city (the pool is kept per city; districts draw from it)."""
    if not is_bureau(user):
        return False
    return bool(user.is_superuser or expert.region.code[:4] == user.scope_prefix[:4])


def can_declare_conflict(user: Any, expert: Expert) -> Decision:
    """The expert declares their own conflicts; the bureau records them too."""
    if is_signed_in(user) and expert.user_id == user.pk:
        return ALLOW
    if keeps_pool(user, expert):
        return ALLOW
    return deny(_("只有专家本人或民政部门可以申报回避"))


def can_assign_expert(user: Any, application: Application) -> Decision:
    """The bureau forms the panels after the eligibility check and during scoring."""
    decision = can_manage_round(user, application.round)
    if not decision:
        return decision
    if application.round.state not in (RS.ELIGIBILITY, RS.SCORING):
        return deny(_("只能在资格审查后、评分结束前组建评审组"))
    if application.state != "eligible":
        return deny(_("不符合参评条件的申报不组建评审组"))
    return ALLOW


def can_score(user: Any, assignment: Assignment) -> Decision:
    """Only the assigned expert scores, during the scoring stage, until they submit."""
    if not is_signed_in(user) or assignment.expert.user_id != user.pk:
        return deny(_("只有被指派的专家可以评分"))
    if assignment.application.round.state != RS.SCORING:
        return deny(_("本轮评估当前不在专家评分阶段"))
    if assignment.submitted_at is not None:
        return deny(_("评分已提交，不能再修改"))
    return ALLOW


def can_finalise(user: Any, application: Application) -> Decision:
    """The evaluation committee (the bureau's staff) settles each result."""
    decision = can_manage_round(user, application.round)
    if not decision:
        return decision
    if application.round.state != RS.COMMITTEE:
        return deny(_("本轮评估当前不在委员会审定阶段"))
    if application.state not in ("eligible", "finalised"):
        return deny(_("该申报不在审定范围内"))
    return ALLOW


def can_file_objection(user: Any, application: Application) -> Decision:
    """The organisation objects in writing during the comment period."""
    if not owns(user, application.organization_id):
        return deny(_("只有参评组织可以提出异议"))
    if application.round.state != RS.PUBLICATION:
        return deny(_("只能在结果公示期内提出异议"))
    return ALLOW


def can_decide_objection(user: Any, objection: Objection) -> Decision:
    """The review committee (the bureau) decides, once, in writing."""
    decision = can_manage_round(user, objection.application.round)
    if not decision:
        return decision
    if objection.state != ObjectionState.FILED:
        return deny(_("该异议已作出复核决定"))
    return ALLOW


def can_manage_grade(user: Any, grade: Grade) -> Decision:
    """The bureau of the organisation's place tracks, downgrades and reviews its grade."""
    if not covers(user, grade.organization.address_code):
        return deny(_("只有该组织所在地的民政部门可以管理其评估等级"))
    return ALLOW


def can_review_grades(user: Any) -> Decision:
    """Bureaus run the expiry/downgrade review (also a daily command)."""
    if not is_bureau(user):
        return deny(_("只有民政部门可以执行等级复查"))
    return ALLOW
