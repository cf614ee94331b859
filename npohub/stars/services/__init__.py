"""Writes of the stars app, by sub-domain: scorecard templates (``templates``), monthly
scorecards (``scorecards``), appeals (``appeals``), interviews (``interviews``), the annual
star rating (``annual``), award rounds (``awards``). Appeals, interviews and award rounds move
on the one workflow engine (``core.workflows.run_move``).

Hub staff act for the bureau (``hubs.services.on_behalf_of_bureau``): their scores and star
assessments are audited with the hub as the delegate. Recording a month that completes a
streak of low months opens an interview task in the same transaction; publishing the year's
stars opens one for every organisation at or below the interview level. The public names are
re-exported here: callers import ``npohub.stars.services``.
"""

from npohub.core.errors import ValidationFailed

from .annual import (
    StarInput,
    StarResult,
    compute_stars,
    star_assessment_record,
    star_results_publish,
)
from .appeals import (
    APPEAL_WORKFLOW,
    appeal_file,
    appeal_history,
    appeal_moves_for,
    appeal_transition,
)
from .awards import (
    AWARD_WORKFLOW,
    RoundInput,
    award_moves_for,
    award_round_create,
    award_round_history,
    award_round_transition,
    nomination_create,
    vote_cast,
)
from .interviews import (
    INTERVIEW_WORKFLOW,
    interview_history,
    interview_moves_for,
    interview_record,
    interview_resolve,
    rectification_overdue_sweep,
)
from .scorecards import LineInput, scorecard_record
from .templates import (
    ItemInput,
    scorecard_template_activate,
    scorecard_template_create,
    scorecard_template_retire,
    template_item_errors,
)

__all__ = [
    "APPEAL_WORKFLOW",
    "AWARD_WORKFLOW",
    "INTERVIEW_WORKFLOW",
    "ItemInput",
    "LineInput",
    "RoundInput",
    "StarInput",
    "StarResult",
    "ValidationFailed",
    "appeal_file",
    "appeal_history",
    "appeal_moves_for",
    "appeal_transition",
    "award_moves_for",
    "award_round_create",
    "award_round_history",
    "award_round_transition",
    "compute_stars",
    "interview_history",
    "interview_moves_for",
    "interview_record",
    "interview_resolve",
    "nomination_create",
    "rectification_overdue_sweep",
    "scorecard_record",
    "scorecard_template_activate",
    "scorecard_template_create",
    "scorecard_template_retire",
    "star_assessment_record",
    "star_results_publish",
    "template_item_errors",
    "vote_cast",
]
