"""Writes of grade assessment, by sub-domain: rounds and their trees (``rounds``), the round
workflow on the one engine (``workflow``), applications and eligibility (``applications``), the
expert pool, conflicts and panels (``experts``), scores, outliers and the committee
(``scoring``), objections (``objections``) and grades (``grades``), each on the engine too. Each write is one transaction
with one audit event. The public names are re-exported here: callers import
``npohub.ratings.services``."""

from .applications import (
    _apply_eligibility,
    application_check,
    application_submit,
    eligibility_of,
    seniority_reasons,
)
from .common import PURPOSE, RATED_KINDS, ExpertConflict, RatingError
from .experts import affiliation_add, conflict_declare, conflicts_of, expert_add, panel_assign
from .grades import (
    GRADE_WORKFLOW,
    ReviewResult,
    grade_downgrade,
    grade_histories,
    grade_history,
    grade_moves_for,
    grade_track,
    grades_review,
    level_choices,
)
from .objections import (
    OBJECTION_WORKFLOW,
    objection_decide,
    objection_file,
    objection_histories,
    objection_history,
    objection_moves_for,
)
from .rounds import (
    _copy_defaults,
    indicator_add,
    indicator_delete,
    indicator_update,
    round_create,
    tree_problems,
)
from .scoring import (
    ScoreEntry,
    application_finalise,
    assignment_submit,
    compute_panel,
    outliers,
    scores_save,
)
from .workflow import (
    EFFECTS,
    GUARDS,
    ROUND_WORKFLOW,
    moves_for,
    round_history,
    round_transition,
    transitions_for,
)

__all__ = [
    "EFFECTS",
    "GRADE_WORKFLOW",
    "GUARDS",
    "OBJECTION_WORKFLOW",
    "PURPOSE",
    "RATED_KINDS",
    "ROUND_WORKFLOW",
    "ExpertConflict",
    "RatingError",
    "ReviewResult",
    "ScoreEntry",
    "_apply_eligibility",
    "_copy_defaults",
    "affiliation_add",
    "application_check",
    "application_finalise",
    "application_submit",
    "assignment_submit",
    "compute_panel",
    "conflict_declare",
    "conflicts_of",
    "eligibility_of",
    "expert_add",
    "grade_downgrade",
    "grade_histories",
    "grade_history",
    "grade_moves_for",
    "grade_track",
    "grades_review",
    "indicator_add",
    "indicator_delete",
    "indicator_update",
    "level_choices",
    "moves_for",
    "objection_decide",
    "objection_file",
    "objection_histories",
    "objection_history",
    "objection_moves_for",
    "outliers",
    "panel_assign",
    "round_create",
    "round_history",
    "round_transition",
    "scores_save",
    "seniority_reasons",
    "transitions_for",
    "tree_problems",
]
