"""Moving the complaint and case history (``enforcement.StateChange``) into the one history.

Used by migration ``0002_move_history_to_core`` with historical models only, and tested
directly (``tests/test_history_migration.py``): every row becomes one ``core.WorkflowEvent``
under ``enforcement.complaint`` or ``enforcement.case``, and back.
"""

from __future__ import annotations

from typing import Any

from npohub.core.history_migration import copy_back, copy_into_events

COMPLAINT_KEY = "enforcement.complaint"  # the keys of workflows.py, frozen here for migrations
CASE_KEY = "enforcement.case"


def forward(apps: Any, schema_editor: Any) -> dict[str, int]:
    """Copy every StateChange row; returns the rows copied per workflow."""
    return copy_into_events(
        apps.get_model("enforcement", "StateChange"),
        apps.get_model("core", "WorkflowEvent"),
        key_of=lambda row: COMPLAINT_KEY if row.complaint_id is not None else CASE_KEY,
        object_id_of=lambda row: row.complaint_id if row.complaint_id is not None else row.case_id,
        on_behalf_of=None,  # enforcement never recorded one
    )


def backward(apps: Any, schema_editor: Any) -> int:
    """Rebuild the StateChange rows from the events (and drop the events)."""
    state_change = apps.get_model("enforcement", "StateChange")

    def build(event: Any) -> Any:
        owner = (
            {"complaint_id": event.object_id}
            if event.workflow == COMPLAINT_KEY
            else {"case_id": event.object_id}
        )
        return state_change(
            **owner,
            transition=event.move[:32],
            from_state=event.from_state[:16],
            to_state=event.to_state[:16],
            actor_id=event.actor_id,
            actor_label=event.actor_label,
            note=event.note,
            occurred_at=event.occurred_at,
        )

    return copy_back(
        apps.get_model("core", "WorkflowEvent"),
        state_change,
        keys=(COMPLAINT_KEY, CASE_KEY),
        build=build,
    )
