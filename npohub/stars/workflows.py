"""Appeals, interviews and award rounds as data: states, moves, who may make them, guards,
effects.

The one workflow engine (``npohub.core.workflows.run_move``) runs every move, with the
``Workflow`` of each table built in the services package (``services.appeals``,
``services.interviews``, ``services.awards``). Capacities (``permissions.*_capacities``):
``decider`` (the responsible body's supervisor or the organisation's bureau) decides appeals,
``worker`` (the assignee, the responsible hub's staff or the bureau) works interviews,
``bureau`` (the round's bureau) runs award rounds, ``system`` closes overdue rectifications.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from npohub.core.workflows import SYSTEM, transition_named, transitions_from
from npohub.core.workflows import Transition as CoreTransition

from .models import AppealState, AwardState, InterviewState

APPEAL_KEY = "stars.appeal"
INTERVIEW_KEY = "stars.interview"
AWARD_KEY = "stars.award_round"

DECIDER = "decider"
WORKER = "worker"
BUREAU = "bureau"


@dataclass(frozen=True)
class Transition(CoreTransition):
    needs_points: bool = False  # the decision sets adjusted points


APPEAL_TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "uphold",
        _("维持原评分"),
        frozenset({AppealState.SUBMITTED}),
        AppealState.UPHELD,
        DECIDER,
        needs_note=True,
    ),
    Transition(
        "adjust",
        _("调整评分"),
        frozenset({AppealState.SUBMITTED}),
        AppealState.ADJUSTED,
        DECIDER,
        guards=("points_given",),
        effect="adjust_points",
        needs_note=True,
        needs_points=True,
    ),
)
# Recorded when the organisation files the appeal (a history row with no move out of a state).
APPEAL_FILED = Transition("file", _("提出申诉"), frozenset(), AppealState.SUBMITTED, "")

INTERVIEW_TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "hold",
        _("记录约谈"),
        frozenset({InterviewState.OPEN}),
        InterviewState.RECTIFYING,
        WORKER,
        guards=("interview_record_valid",),
    ),
    Transition(
        "confirm_rectified",
        _("核查：整改到位"),
        frozenset({InterviewState.RECTIFYING}),
        InterviewState.RECTIFIED,
        WORKER,
        needs_note=True,
    ),
    Transition(
        "find_unresolved",
        _("核查：整改不到位"),
        frozenset({InterviewState.RECTIFYING}),
        InterviewState.UNRESOLVED,
        WORKER,
        effect="flag_removal",
        needs_note=True,
    ),
    Transition(
        "expire",
        _("逾期未整改"),
        frozenset({InterviewState.RECTIFYING}),
        InterviewState.UNRESOLVED,
        SYSTEM,
        effect="flag_removal",
    ),
)
# Recorded when a low streak or a low star rating opens the task.
INTERVIEW_OPENED = Transition("open", _("发起约谈"), frozenset(), InterviewState.OPEN, "")

AWARD_TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "open_voting",
        _("结束推荐，开始投票"),
        frozenset({AwardState.NOMINATING}),
        AwardState.VOTING,
        BUREAU,
        guards=("has_nominations",),
    ),
    Transition(
        "finish",
        _("结束投票，公布结果"),
        frozenset({AwardState.VOTING}),
        AwardState.FINISHED,
        BUREAU,
        effect="count_votes",
    ),
)


def transition_for(table: tuple[Transition, ...], name: str) -> Transition | None:
    return transition_named(table, name)


def available(table: tuple[Transition, ...], state: str) -> list[Transition]:
    return transitions_from(table, state)
