"""The grade-assessment round as data: states, moves, who may make them, guards, effects.

The round follows one table of core ``Transition`` rows, made by the one workflow engine
(``npohub.core.workflows.run_move``, called by ``services.round_transition`` with
``services.ROUND_WORKFLOW``): the engine locks the round, checks the table and the actor's
capacity (``bureau``: the bureau that runs the round, ``permissions.round_capacities``), runs
the named guards and effect (``services.rounds``) and writes one history row
(``core.WorkflowEvent`` under the key :data:`KEY`) and one audit event.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from npohub.core.workflows import Transition, transition_named, transitions_from

KEY = "ratings.round"
BUREAU = "bureau"  # the capacity of every move: the bureau whose region holds the round's


class RS(models.TextChoices):
    OPEN = "open", _("筹备（编制指标）")
    APPLICATIONS = "applications", _("受理申报")
    ELIGIBILITY = "eligibility", _("资格审查")
    SCORING = "scoring", _("专家评分")
    COMMITTEE = "committee", _("评估委员会审定")
    PUBLICATION = "publication", _("结果公示")
    OBJECTIONS = "objections", _("异议复核")
    FINAL = "final", _("已公告")


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "open_applications",
        _("开始受理申报"),
        frozenset({RS.OPEN}),
        RS.APPLICATIONS,
        BUREAU,
        guards=("tree_valid",),
    ),
    Transition(
        "close_applications",
        _("截止申报并审查资格"),
        frozenset({RS.APPLICATIONS}),
        RS.ELIGIBILITY,
        BUREAU,
        guards=("has_applications",),
        effect="check_eligibility",
    ),
    Transition(
        "start_scoring",
        _("开始专家评分"),
        frozenset({RS.ELIGIBILITY}),
        RS.SCORING,
        BUREAU,
        guards=("panels_complete",),
    ),
    Transition(
        "close_scoring",
        _("结束评分，提交评估委员会"),
        frozenset({RS.SCORING}),
        RS.COMMITTEE,
        BUREAU,
        guards=("scores_submitted",),
        effect="compute_results",
    ),
    Transition(
        "publish",
        _("公示评估结果"),
        frozenset({RS.COMMITTEE}),
        RS.PUBLICATION,
        BUREAU,
        guards=("all_finalised",),
        effect="open_comment",
    ),
    Transition(
        "close_comment",
        _("公示期满，复核异议"),
        frozenset({RS.PUBLICATION}),
        RS.OBJECTIONS,
        BUREAU,
    ),
    Transition(
        "finalise",
        _("公告并授予等级"),
        frozenset({RS.OBJECTIONS}),
        RS.FINAL,
        BUREAU,
        guards=("objections_decided",),
        effect="award_grades",
    ),
)

BY_NAME = {t.name: t for t in TRANSITIONS}
# States in which the round's indicator tree may still change.
TREE_EDITABLE = frozenset({RS.OPEN, RS.APPLICATIONS, RS.ELIGIBILITY})
# States in which the results are public to the applicant (and objections may be filed).
RESULTS_VISIBLE = frozenset({RS.PUBLICATION, RS.OBJECTIONS, RS.FINAL})


def available(state: str) -> list[Transition]:
    return transitions_from(TRANSITIONS, state)


def transition_for(name: str) -> Transition | None:
    return transition_named(TRANSITIONS, name)


def state_label(state: str) -> str:
    return str(RS(state).label) if state in RS.values else state


def move_label(name: str) -> str:
    move = transition_for(name)
    return str(move.label) if move is not None else name
