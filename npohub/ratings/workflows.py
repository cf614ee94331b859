"""The grade-assessment round as data: states, moves, who may make them, guards, effects.

The round follows one table of core ``Transition`` rows, made by the one workflow engine
(``npohub.core.workflows.run_move``, called by ``services.round_transition`` with
``services.ROUND_WORKFLOW``): the engine locks the round, checks the table and the actor's
capacity (``bureau``: the bureau that runs the round, ``permissions.round_capacities``), runs
the named guards and effect (``services.rounds``) and writes one history row
(``core.WorkflowEvent`` under the key :data:`KEY`) and one audit event.

Objections to published results (:data:`OBJECTION_KEY`, ``services.objections``) and the grades
awarded (:data:`GRADE_KEY`, ``services.grades``) follow their own tables on the same engine: an
objection is filed (history row :data:`OBJECTION_FILED`) and decided once by the bureau running
the round; a grade is awarded (:data:`GRADE_AWARDED`, or :data:`GRADE_REISSUED` one level down),
downgraded or cancelled by the bureau of the organisation's place (``bureau``) or by the daily
review (``system``), lapses when its validity ends (``system``), and is superseded by the grade
of a newer round (:data:`GRADE_SUPERSEDED`, recorded by the round's award effect).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from npohub.core.workflows import SYSTEM, Transition, transition_named, transitions_from

KEY = "ratings.round"
OBJECTION_KEY = "ratings.objection"
GRADE_KEY = "ratings.grade"
BUREAU = "bureau"  # the capacity of every move: the bureau whose region holds the round's
# (objections: the bureau running the round; grades: the bureau of the organisation's place)


class RS(models.TextChoices):
    OPEN = "open", _("筹备（编制指标）")
    APPLICATIONS = "applications", _("受理申报")
    ELIGIBILITY = "eligibility", _("资格审查")
    SCORING = "scoring", _("专家评分")
    COMMITTEE = "committee", _("评估委员会审定")
    PUBLICATION = "publication", _("结果公示")
    OBJECTIONS = "objections", _("异议复核")
    FINAL = "final", _("已公告")


class ObjectionState(models.TextChoices):
    FILED = "filed", _("待复核")
    UPHELD = "upheld", _("异议成立")
    REJECTED = "rejected", _("异议不成立")


class GradeState(models.TextChoices):
    VALID = "valid", _("有效")
    EXPIRED = "expired", _("已过期")
    DOWNGRADED = "downgraded", _("已降级")
    CANCELLED = "cancelled", _("已取消")


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

# --- objections (PG39 art. 20–23) -----------------------------------------------------------

# The history row written when an organisation files an objection (not a move of the table).
OBJECTION_FILED = Transition("file", _("提出异议"), frozenset(), ObjectionState.FILED, "")

OBJECTION_TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "uphold",
        _("认定异议成立"),
        frozenset({ObjectionState.FILED}),
        ObjectionState.UPHELD,
        BUREAU,
        guards=("majority_for",),
        effect="set_new_total",
        needs_note=True,
    ),
    Transition(
        "reject",
        _("认定异议不成立"),
        frozenset({ObjectionState.FILED}),
        ObjectionState.REJECTED,
        BUREAU,
        guards=("no_majority_for",),
        needs_note=True,
    ),
)

# --- grades (rules 42–43) ----------------------------------------------------------------------

# History rows written when a grade is created (not moves of the table).
GRADE_AWARDED = Transition("award", _("授予等级"), frozenset(), GradeState.VALID, "")
GRADE_REISSUED = Transition("reissue_lower", _("降级后核定等级"), frozenset(), GradeState.VALID, "")
# Written by the round's award effect for the grade a new one replaces.
GRADE_SUPERSEDED = Transition(
    "supersede",
    _("被新一轮评估等级取代"),
    frozenset({GradeState.VALID}),
    GradeState.EXPIRED,
    SYSTEM,
)

GRADE_TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "downgrade",
        _("降级"),
        frozenset({GradeState.VALID}),
        GradeState.DOWNGRADED,
        BUREAU,
        guards=("has_lower_level",),
        effect="step_down",
        needs_note=True,
    ),
    Transition(
        "cancel",
        _("取消等级"),
        frozenset({GradeState.VALID}),
        GradeState.CANCELLED,
        BUREAU,
        guards=("is_lowest_level",),
        effect="step_down",
        needs_note=True,
    ),
    Transition(
        "auto_downgrade",
        _("复查降级"),
        frozenset({GradeState.VALID}),
        GradeState.DOWNGRADED,
        SYSTEM,
        guards=("has_lower_level",),
        effect="step_down",
    ),
    Transition(
        "auto_cancel",
        _("复查取消等级"),
        frozenset({GradeState.VALID}),
        GradeState.CANCELLED,
        SYSTEM,
        guards=("is_lowest_level",),
        effect="step_down",
    ),
    Transition(
        "lapse",
        _("有效期届满"),
        frozenset({GradeState.VALID}),
        GradeState.EXPIRED,
        SYSTEM,
        effect="lapse",
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
