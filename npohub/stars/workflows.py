"""Appeals and award rounds as data: states, transitions, who may make them, the effect.

``services.appeal_transition`` and ``services.award_round_transition`` are the only paths that
change those states; each checks the table, the actor's capacity and applies the named effect.
Capacities: ``decider`` (the responsible body's supervisor or the organisation's bureau, see
``permissions.can_decide_appeal``), ``bureau`` (the round's bureau).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from npohub.core.workflows import Transition as CoreTransition
from npohub.core.workflows import transition_named, transitions_from

from .models import AppealState, AwardState


@dataclass(frozen=True)
class Transition(CoreTransition):
    needs_points: bool = False  # the decision sets adjusted points


APPEAL_TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "uphold",
        _("维持原评分"),
        frozenset({AppealState.SUBMITTED}),
        AppealState.UPHELD,
        "decider",
        needs_note=True,
    ),
    Transition(
        "adjust",
        _("调整评分"),
        frozenset({AppealState.SUBMITTED}),
        AppealState.ADJUSTED,
        "decider",
        effect="adjust_points",
        needs_note=True,
        needs_points=True,
    ),
)

AWARD_TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "open_voting",
        _("结束推荐，开始投票"),
        frozenset({AwardState.NOMINATING}),
        AwardState.VOTING,
        "bureau",
        effect="require_nominations",
    ),
    Transition(
        "finish",
        _("结束投票，公布结果"),
        frozenset({AwardState.VOTING}),
        AwardState.FINISHED,
        "bureau",
        effect="count_votes",
    ),
)


def transition_for(table: tuple[Transition, ...], name: str) -> Transition | None:
    return transition_named(table, name)


def available(table: tuple[Transition, ...], state: str) -> list[Transition]:
    return transitions_from(table, state)
