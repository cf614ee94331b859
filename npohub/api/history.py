"""One shape for a workflow record's history in every API: each move with its codes and their
labels (``core.workflows.history_for`` rows), who made it, for whom, when."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema

from npohub.core.workflows import HistoryRow


class HistoryOut(Schema):
    move: str
    move_label: str
    from_state: str
    from_label: str
    to_state: str
    to_label: str
    actor: str
    on_behalf_of: str
    note: str
    occurred_at: dt.datetime


class MoveOut(Schema):
    """A move the caller may make now: its code (to send back) and its label (to show)."""

    name: str
    label: str


def history_out(row: HistoryRow) -> dict[str, Any]:
    return {
        "move": row.move,
        "move_label": row.move_label,
        "from_state": row.from_state,
        "from_label": row.from_label,
        "to_state": row.to_state,
        "to_label": row.to_label,
        "actor": row.actor_display,
        "on_behalf_of": row.on_behalf_of,
        "note": row.note,
        "occurred_at": row.occurred_at,
    }


def move_out(move: Any) -> dict[str, str]:
    return {"name": move.name, "label": str(move.label)}
