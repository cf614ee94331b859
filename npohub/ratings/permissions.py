"""Who may do what in grade assessment. Each check answers with a Chinese reason.

Every place and grant question is answered by the one scope (``npohub.orgs.scope``); the
pages a role opens, and the one view of an expert's entry and of an application (what the user
may do with it, what is masked), are decided here for the HTML pages and the API alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from npohub.accounts.models import Role, User
from npohub.core.permissions import ALLOW, Decision, deny
from npohub.core.workflows import NO_CAPACITY, Capacities
from npohub.orgs import conflicts
from npohub.orgs.models import Organization
from npohub.orgs.scope import Scope, scope_of
from npohub.regions.models import Region

from .models import Application, Assignment, Expert, Grade, Objection, ObjectionState, Round
from .workflows import BUREAU, RESULTS_VISIBLE, RS, TREE_EDITABLE

# Whoever asks: a signed-in user, or an anonymous visitor (who may do nothing).
Viewer = User | AnonymousUser


# ---------------------------------------------------------------------------------------------
# Which pages a user opens (the menu and the pages agree; the services decide every action)


def sees_bureau_pages(user: Viewer) -> bool:
    """Round creation, the expert pool and grade management: the bureaus (and the superuser)."""
    return scope_of(user).is_bureau


def is_expert(user: Viewer) -> bool:
    scope = scope_of(user)
    return scope.role == Role.EXPERT


def sees_rounds(user: Viewer) -> bool:
    """Bureaus run rounds, organisations apply to them, experts score in them."""
    scope = scope_of(user)
    return scope.is_bureau or scope.role in (Role.ORG_USER, Role.EXPERT)


def sees_assignments(user: Viewer) -> bool:
    """An expert's own scoring tasks (the superuser looks too)."""
    scope = scope_of(user)
    return scope.everything or scope.role == Role.EXPERT


def _same_city(scope: Scope, code: str) -> bool:
    """A bureau of the city holding ``code`` (the expert pool is kept per city)."""
    return scope.is_bureau and (scope.everything or code[:4] == scope.prefix[:4])


def can_create_round(user: Viewer, region: Region) -> Decision:
    """A bureau runs rounds for its own region or a region inside it."""
    if not scope_of(user).is_bureau_for(region.code):
        return deny(_("只有该辖区的民政部门可以组织等级评估"))
    return ALLOW


def can_manage_round(user: Viewer, round: Round) -> Decision:
    """The bureau whose region contains the round's region runs it."""
    if not scope_of(user).is_bureau_for(round.region.code):
        return deny(_("只有组织本轮评估的民政部门可以执行此操作"))
    return ALLOW


def round_capacities(user: Viewer, round: Round) -> Capacities:
    """The workflow engine's resolver: the bureau that runs the round makes its moves."""
    if can_manage_round(user, round):
        return Capacities(held=frozenset({BUREAU}))
    return NO_CAPACITY


def can_edit_tree(user: Viewer, round: Round) -> Decision:
    """The indicator tree changes only before scoring starts."""
    decision = can_manage_round(user, round)
    if not decision:
        return decision
    if round.state not in TREE_EDITABLE:
        return deny(_("专家评分开始后不能再修改本轮的指标体系"))
    return ALLOW


def can_apply(user: Viewer, round: Round, organization: Organization) -> Decision:
    """While applications are open, the organisation applies itself or the bureau records it."""
    if round.state != RS.APPLICATIONS:
        return deny(_("本轮评估当前不受理申报"))
    if not organization.address_code.startswith(round.region.prefix):
        return deny(_("该组织不在本轮评估的辖区内"))
    scope = scope_of(user)
    if scope.is_bureau_for(round.region.code) or scope.owns(organization.pk):
        return ALLOW
    return deny(_("只有该组织或组织评估的民政部门可以申报"))


def can_manage_experts(user: Viewer, region: Region | None = None) -> Decision:
    """The bureaus of a city keep its expert pool."""
    scope = scope_of(user)
    if not scope.is_bureau:
        return deny(_("只有民政部门可以管理评估专家库"))
    if region is not None and not _same_city(scope, region.code):
        return deny(_("只能管理本市的评估专家库"))
    return ALLOW


def keeps_pool(user: Viewer, expert: Expert) -> bool:
    """A bureau of the pool's city (the pool is kept per city; districts draw from it)."""
    return _same_city(scope_of(user), expert.region.code)


def can_declare_conflict(user: Viewer, expert: Expert) -> Decision:
    """The expert declares their own conflicts; the bureau keeping the pool records them too
    (``orgs.conflicts``: the same rule for every panel)."""
    return conflicts.can_declare_conflict(
        user,
        declarant_id=expert.user_id,
        keeps_register=keeps_pool(user, expert),
        refusal=_("只有专家本人或民政部门可以申报回避"),
    )


def can_assign_expert(user: Viewer, application: Application) -> Decision:
    """The bureau forms the panels after the eligibility check and during scoring."""
    decision = can_manage_round(user, application.round)
    if not decision:
        return decision
    if application.round.state not in (RS.ELIGIBILITY, RS.SCORING):
        return deny(_("只能在资格审查后、评分结束前组建评审组"))
    if application.state != "eligible":
        return deny(_("不符合参评条件的申报不组建评审组"))
    return ALLOW


def can_score(user: Viewer, assignment: Assignment) -> Decision:
    """Only the assigned expert scores, during the scoring stage, until they submit."""
    me = scope_of(user).user
    if me is None or assignment.expert.user_id != me.pk:
        return deny(_("只有被指派的专家可以评分"))
    if assignment.application.round.state != RS.SCORING:
        return deny(_("本轮评估当前不在专家评分阶段"))
    if assignment.submitted_at is not None:
        return deny(_("评分已提交，不能再修改"))
    return ALLOW


def can_finalise(user: Viewer, application: Application) -> Decision:
    """The evaluation committee (the bureau's staff) settles each result."""
    decision = can_manage_round(user, application.round)
    if not decision:
        return decision
    if application.round.state != RS.COMMITTEE:
        return deny(_("本轮评估当前不在委员会审定阶段"))
    if application.state not in ("eligible", "finalised"):
        return deny(_("该申报不在审定范围内"))
    return ALLOW


def can_file_objection(user: Viewer, application: Application) -> Decision:
    """The organisation objects in writing during the comment period."""
    if not scope_of(user).owns(application.organization_id):
        return deny(_("只有参评组织可以提出异议"))
    if application.round.state != RS.PUBLICATION:
        return deny(_("只能在结果公示期内提出异议"))
    return ALLOW


def can_decide_objection(user: Viewer, objection: Objection) -> Decision:
    """The review committee (the bureau) decides, once, in writing."""
    decision = can_manage_round(user, objection.application.round)
    if not decision:
        return decision
    if objection.state != ObjectionState.FILED:
        return deny(_("该异议已作出复核决定"))
    return ALLOW


def objection_capacities(user: Viewer, objection: Objection) -> Capacities:
    """The workflow engine's resolver: the bureau running the round decides objections."""
    if can_manage_round(user, objection.application.round):
        return Capacities(held=frozenset({BUREAU}))
    return NO_CAPACITY


def can_manage_grade(user: Viewer, grade: Grade) -> Decision:
    """The bureau of the organisation's place tracks, downgrades and reviews its grade."""
    if not scope_of(user).is_bureau_for(grade.organization.address_code):
        return deny(_("只有该组织所在地的民政部门可以管理其评估等级"))
    return ALLOW


def grade_capacities(user: Viewer, grade: Grade) -> Capacities:
    """The workflow engine's resolver: the bureau of the organisation's place downgrades."""
    if can_manage_grade(user, grade):
        return Capacities(held=frozenset({BUREAU}))
    return NO_CAPACITY


def can_review_grades(user: Viewer) -> Decision:
    """Bureaus run the expiry/downgrade review (also a daily command)."""
    if not scope_of(user).is_bureau:
        return deny(_("只有民政部门可以执行等级复查"))
    return ALLOW


# ---------------------------------------------------------------------------------------------
# One view of each record: the HTML page and the API render from these


@dataclass(frozen=True)
class ExpertView:
    """What one user may do with an expert's pool entry, and whether its ID number shows."""

    keeps_pool: bool  # the bureau of the pool's city: adds affiliations, sees the whole entry
    sees_personal_data: bool  # the ID number in full (else masked)
    may_declare_conflict: bool


def expert_view(user: Viewer, expert: Expert) -> ExpertView:
    """The one answer to "what may this user do with this expert's entry, what is masked": the
    expert and the bureau keeping the pool see the ID number whole, nobody else does."""
    keeps = keeps_pool(user, expert)
    me = scope_of(user).user
    own = me is not None and expert.user_id == me.pk
    return ExpertView(
        keeps_pool=keeps,
        sees_personal_data=keeps or own,
        may_declare_conflict=bool(can_declare_conflict(user, expert)),
    )


@dataclass(frozen=True)
class ApplicationView:
    """What one user may do with an application, and what of it they see."""

    manages: bool  # the bureau running the round: the panel, objections, every result
    shows_results: bool  # totals, level and the committee's note
    may_assign: bool
    may_finalise: bool
    may_object: bool


def sees_results(user: Viewer, app: Application) -> bool:
    """Totals, level and the committee's note: the bureau running the round always, everyone
    who sees the application once the results are published (no query: lists ask per row)."""
    return bool(can_manage_round(user, app.round)) or app.round.state in RESULTS_VISIBLE


def application_view(user: Viewer, app: Application) -> ApplicationView:
    """The one answer to "what may this user do with this application, what do they see"."""
    manages = bool(can_manage_round(user, app.round))
    return ApplicationView(
        manages=manages,
        shows_results=sees_results(user, app),
        may_assign=bool(can_assign_expert(user, app)),
        may_finalise=bool(can_finalise(user, app)),
        may_object=bool(can_file_objection(user, app)),
    )
