"""Escalations (问题上报) as data: states, moves, who may make them.

The one workflow engine (``npohub.core.workflows.run_move``) runs every move, with the
``Workflow`` built in ``services.bureau_work``. Capacity (``permissions.escalation_capacities``):
``bureau`` (a bureau user of the escalation's receiving region) assigns and resolves.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from npohub.core.workflows import Transition

from .models import EscalationState

ESCALATION_KEY = "hubs.escalation"

BUREAU = "bureau"

ESCALATION_TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "assign",
        _("分派承办人"),
        frozenset({EscalationState.OPEN, EscalationState.ASSIGNED}),
        EscalationState.ASSIGNED,
        BUREAU,
        guards=("assignee_valid",),
    ),
    Transition(
        "resolve",
        _("办结"),
        frozenset({EscalationState.OPEN, EscalationState.ASSIGNED}),
        EscalationState.RESOLVED,
        BUREAU,
        guards=("resolution_given",),
    ),
)
# Recorded when a hub raises the escalation (a history row with no move out of a state).
ESCALATION_RAISED = Transition("raise", _("上报"), frozenset(), EscalationState.OPEN, "")
