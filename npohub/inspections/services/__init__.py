"""Spot-check services, by sub-domain: plans and their moves (``plans``), the verifiable draw
(``drawing``; the ranking itself is ``inspections.draw``), verifying a draw again
(``verification``), inspection records with their moves, findings and rectification orders
(``checks``), the inspector pool and conflicts (``pool``). Plans and checks move on the one
workflow engine (``core.workflows.run_move``).

Every write runs in one transaction, checks ``permissions.py``, writes one audit event and
notifies after the rows are written. The public names are re-exported here: callers import
``npohub.inspections.services``.
"""

from .checks import (
    CHECK_WORKFLOW,
    check_conclude,
    check_history,
    check_notify,
    finding_add,
    rectification_order_issue,
    rectification_report,
    rectification_verify,
)
from .common import LEVEL_OF_REGION, STRATUM_KINDS, STRATUM_LABELS, percent, stratum_label
from .drawing import conflicts_between
from .plans import (
    PLAN_WORKFLOW,
    PlanInput,
    plan_create,
    plan_history,
    plan_moves_for,
    plan_transition,
    plan_update,
)
from .pool import (
    check_replace_inspector,
    conflict_declare,
    conflict_withdraw,
    inspector_add,
    inspector_update,
)
from .verification import InspectorCheck, StratumCheck, Verification, plan_verify

__all__ = [
    "CHECK_WORKFLOW",
    "LEVEL_OF_REGION",
    "PLAN_WORKFLOW",
    "STRATUM_KINDS",
    "STRATUM_LABELS",
    "InspectorCheck",
    "PlanInput",
    "StratumCheck",
    "Verification",
    "check_conclude",
    "check_history",
    "check_notify",
    "check_replace_inspector",
    "conflict_declare",
    "conflict_withdraw",
    "conflicts_between",
    "finding_add",
    "inspector_add",
    "inspector_update",
    "percent",
    "plan_create",
    "plan_history",
    "plan_moves_for",
    "plan_transition",
    "plan_update",
    "plan_verify",
    "rectification_order_issue",
    "rectification_report",
    "rectification_verify",
    "stratum_label",
]
