"""Who may score, appeal, interview, rate and award. Each check returns a Decision.

* The body responsible for an organisation (the staff of a current hub, street federation or
  incubation base's operating hub it belongs to) scores it monthly, for the bureau.
* The organisation's own accounts see their scorecards and appeal a deduction; the responsible
  body's supervisor (``hubs.permissions.can_govern_hub``) or the organisation's bureau decides.
* Interview tasks are worked by their assignee, the responsible hub's staff or the bureau.
* Star assessments are recorded by the responsible body or the bureau, published by the bureau.
* Award rounds are run by the bureau of their region; any signed-in account votes once per
  nominee while voting is open, never for its own organisation.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import BUREAU_ROLES, Role, User
from npohub.core.permissions import ALLOW, Decision, deny
from npohub.core.workflows import NO_CAPACITY, Capacities
from npohub.hubs.permissions import can_govern_hub
from npohub.hubs.selectors import acting_hub_for, staff_hub_ids
from npohub.hubs.services import on_behalf_of_bureau
from npohub.orgs.models import Organization
from npohub.orgs.scope import scope_of

from .models import (
    AppealState,
    AwardRound,
    AwardState,
    InterviewState,
    InterviewTask,
    MonthlyScorecard,
    Nomination,
    ScoreAppeal,
    ScorecardTemplate,
)
from .workflows import BUREAU, DECIDER, WORKER

# Whoever asks: a signed-in user, or an anonymous visitor (who may do nothing).
Viewer = User | AnonymousUser

# Roles that work scores, appeals, interviews and star ratings (besides the superuser).
STAFF_ROLES = frozenset({*BUREAU_ROLES, Role.STREET_OFFICER, Role.HUB_STAFF})


# ---------------------------------------------------------------------------------------------
# Which pages a user opens (the menu and the pages agree; the services decide every action)


def is_scorer(user: Viewer) -> bool:
    """Hub staff enter the monthly scores of their members."""
    return scope_of(user).role == Role.HUB_STAFF


def is_org_user(user: Viewer) -> bool:
    """An organisation account sees its own scorecards, ratings and interviews."""
    return scope_of(user).role == Role.ORG_USER


def sees_star_work(user: Viewer) -> bool:
    """Bureaus, street offices and hub staff work scores, appeals, interviews and stars."""
    scope = scope_of(user)
    return scope.everything or scope.role in STAFF_ROLES


def signed_in(user: Viewer) -> bool:
    """Award rounds: every signed-in account may vote."""
    return scope_of(user).signed_in


def _is_hub_staff(user: Viewer) -> bool:
    return scope_of(user).role == Role.HUB_STAFF


def can_manage_templates(user: Viewer, region_code: str) -> Decision:
    """A locality's scorecard: the bureau of that region; the default one: the superuser."""
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    if scope.everything or (region_code and scope.is_bureau_for(region_code)):
        return ALLOW
    return deny(_("只有该辖区的民政部门可以设置月度评分表"))


def can_activate_template(user: Viewer, template: ScorecardTemplate) -> Decision:
    """Put an earlier version back in force (it replaces the locality's active one)."""
    decision = can_manage_templates(user, template.region_code)
    if not decision:
        return decision
    if template.is_active:
        return deny(_("该评分表已在使用中"))
    return ALLOW


def can_retire_template(user: Viewer, template: ScorecardTemplate) -> Decision:
    """Stop a locality's scorecard: its organisations fall back to the enclosing region's.
    The default one (every locality's fallback) is only ever replaced, never stopped."""
    decision = can_manage_templates(user, template.region_code)
    if not decision:
        return decision
    if not template.is_active:
        return deny(_("该评分表已停用"))
    if not template.region_code:
        return deny(_("默认评分表是各地的兜底，不能停用；请新建版本替换"))
    return ALLOW


def can_score_organization(
    user: Viewer, org: Organization, *, on: dt.date | None = None
) -> Decision:
    """Monthly scores: the staff of a current hub (federation, incubation base) the
    organisation currently belongs to."""
    if not scope_of(user).signed_in:
        return deny(_("请先登录"))
    if not _is_hub_staff(user):
        return deny(_("月度评分由负责该组织的枢纽、联合会或孵化基地填报"))
    if acting_hub_for(user, org, on=on) is None:
        return deny(_("该组织不是您所在枢纽（认定有效期内）的成员，不能为其评分"))
    return ALLOW


def can_file_appeal(user: Viewer, scorecard: MonthlyScorecard) -> Decision:
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    if not scope.owns(scorecard.organization_id):
        return deny(_("只有本组织账号可以对扣分提出申诉"))
    return ALLOW


def decides_appeal(user: Viewer, appeal: ScoreAppeal) -> bool:
    """The responsible body's supervisor (the bureau over the hub, the street office for its
    federation) or the organisation's own bureau, whatever the appeal's state."""
    if not scope_of(user).signed_in:
        return False
    scorecard = appeal.line.scorecard
    return bool(
        can_govern_hub(user, scorecard.hub) or scope_of(user).is_bureau_for_org(appeal.organization)
    )


def can_decide_appeal(user: Viewer, appeal: ScoreAppeal) -> Decision:
    """The responsible body's supervisor (the bureau over the hub, the street office for its
    federation) or the organisation's own bureau."""
    if not scope_of(user).signed_in:
        return deny(_("请先登录"))
    if not decides_appeal(user, appeal):
        return deny(appeal_refusal())
    if appeal.state != AppealState.SUBMITTED:
        return deny(_("该申诉已处理"))
    return ALLOW


def appeal_refusal() -> str:
    """Why someone else may not decide an appeal."""
    return _("只有评分单位的主管部门或该组织所属民政部门可以处理申诉")


def appeal_capacities(user: Viewer, appeal: ScoreAppeal) -> Capacities:
    """The workflow engine's resolver for appeals: ``decider``."""
    return Capacities(frozenset({DECIDER})) if decides_appeal(user, appeal) else NO_CAPACITY


def works_interview(user: Viewer, task: InterviewTask) -> bool:
    """The assignee, the staff of the responsible hub or the organisation's bureau."""
    scope = scope_of(user)
    if scope.user is None:
        return False
    return bool(
        task.assignee_id == scope.user.pk
        or (task.hub_id is not None and task.hub_id in staff_hub_ids(user))
        or scope.is_bureau_for_org(task.organization)
    )


def interview_refusal() -> str:
    """Why someone else may not work an interview task."""
    return _("只有承办人、责任单位或该组织所属民政部门可以办理约谈")


def can_work_interview(user: Viewer, task: InterviewTask) -> Decision:
    if not scope_of(user).signed_in:
        return deny(_("请先登录"))
    if not works_interview(user, task):
        return deny(interview_refusal())
    if task.state in (InterviewState.RECTIFIED, InterviewState.UNRESOLVED):
        return deny(_("该约谈任务已办结"))
    return ALLOW


def interview_capacities(user: Viewer, task: InterviewTask) -> Capacities:
    """The workflow engine's resolver for interviews: ``worker``, and when a hub's staff
    member works it, on behalf of the bureau."""
    if not works_interview(user, task):
        return NO_CAPACITY
    behalf = None
    if task.hub is not None and _is_hub_staff(user):
        behalf = on_behalf_of_bureau(task.hub)
    return Capacities(frozenset({WORKER}), on_behalf_of=behalf)


def can_assess_stars(user: Viewer, org: Organization) -> Decision:
    """The responsible body (acting for the bureau) or the organisation's bureau."""
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    if scope.is_bureau_for_org(org):
        return ALLOW
    if _is_hub_staff(user) and acting_hub_for(user, org) is not None:
        return ALLOW
    return deny(_("只有负责该组织的枢纽或所属民政部门可以评定星级"))


def can_publish_stars(user: Viewer, region_code: str) -> Decision:
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    if not scope.is_bureau_for(region_code):
        return deny(_("只有该辖区的民政部门可以公布星级评定结果"))
    return ALLOW


def can_create_award_round(user: Viewer, region_code: str) -> Decision:
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    if not scope.is_bureau_for(region_code):
        return deny(_("只有该辖区的民政部门可以组织评优评选"))
    return ALLOW


def can_manage_award_round(user: Viewer, award_round: AwardRound) -> Decision:
    return can_create_award_round(user, award_round.region_code)


def award_round_capacities(user: Viewer, award_round: AwardRound) -> Capacities:
    """The workflow engine's resolver for award rounds: ``bureau``."""
    if can_manage_award_round(user, award_round):
        return Capacities(frozenset({BUREAU}))
    return NO_CAPACITY


def can_nominate(user: Viewer, award_round: AwardRound, org: Organization) -> Decision:
    """The round's bureau for organisations of its region, or the organisation's hub."""
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    if award_round.state != AwardState.NOMINATING:
        return deny(_("该评选不在推荐阶段"))
    if not org.address_code.startswith(award_round.region_code.rstrip("0")):
        return deny(_("该组织不在本次评选的区域内"))
    if scope.is_bureau_for_org(org):
        return ALLOW
    if _is_hub_staff(user) and acting_hub_for(user, org) is not None:
        return ALLOW
    return deny(_("只有民政部门或负责该组织的枢纽可以推荐"))


def can_vote(user: Viewer, nomination: Nomination, *, on: dt.date | None = None) -> Decision:
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    award_round = nomination.award_round
    day = on or timezone.localdate()
    if award_round.state != AwardState.VOTING or not (
        award_round.vote_opens <= day <= award_round.vote_closes
    ):
        return deny(_("不在投票时间内"))
    if scope.owns(nomination.organization_id):
        return deny(_("不能为本组织投票"))
    return ALLOW
