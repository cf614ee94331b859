"""Enforcement services, by sub-domain: ``complaints`` (intake, triage, reply), ``cases``
(penalty cases, sanctions, payment) and ``missing_reports`` (rule 25). Every state change of a
complaint or a case is a move of its workflow on the one engine (``core.workflows.run_move``);
the dormant-organisation campaign lives in ``enforcement/dormant.py``.
"""

from __future__ import annotations

from .cases import (
    CASE_WORKFLOW,
    _create_case,
    case_lift_suspension,
    case_open,
    case_payment_record,
    case_transition,
    check_fine,
    sanction_add,
    sanction_remove,
)
from .complaints import (
    COMPLAINT_WORKFLOW,
    Throttled,
    complaint_assign,
    complaint_link_case,
    complaint_note_add,
    complaint_remind_due,
    complaint_submit,
    complaint_transition,
    throttle_reset,
)
from .missing_reports import (
    _revocation_kind,
    case_propose_missing_reports,
    first_report_years,
    last_due_report_year,
    missing_reports_detector,
)

__all__ = [
    "CASE_WORKFLOW",
    "COMPLAINT_WORKFLOW",
    "Throttled",
    "_create_case",
    "_revocation_kind",
    "case_lift_suspension",
    "case_open",
    "case_payment_record",
    "case_propose_missing_reports",
    "case_transition",
    "check_fine",
    "complaint_assign",
    "complaint_link_case",
    "complaint_note_add",
    "complaint_remind_due",
    "complaint_submit",
    "complaint_transition",
    "first_report_years",
    "last_due_report_year",
    "missing_reports_detector",
    "sanction_add",
    "sanction_remove",
    "throttle_reset",
]
