"""Escalations move on the one engine: their history (``core.WorkflowEvent``) is written from
the records and the audit trail by migration ``0004_escalation_history``.

Before, an escalation's moves lived on the record (``created_at``/``raised_by``,
``assigned_at``/``assignee``, ``resolved_at``/``resolution``) and in the audit trail
(``hubs.escalation_raised`` / ``_assigned`` / ``_resolved``). Each audit event of a move gives
one history row with its time, actor and on-whose-behalf; a move the record shows with no audit
event gets one row from the record's date (the actor unknown: "system"). The functions take the
historical models (``apps.get_model``), so the migration and its test run the same code.
"""

from __future__ import annotations

from typing import Any

KEY = "hubs.escalation"
TARGET = "hubs.escalation"
KINDS = {
    "hubs.escalation_raised": "raise",
    "hubs.escalation_assigned": "assign",
    "hubs.escalation_resolved": "resolve",
}
TARGET_STATE = {"raise": "open", "assign": "assigned", "resolve": "resolved"}


def _label(user: Any) -> str:
    if user is None:
        return "system"
    return str(user.display_name or user.username)[:150]


def build_escalation_history(escalation_model: Any, event_model: Any, audit_model: Any) -> int:
    """Write the history rows of every escalation; returns the rows written."""
    audits: dict[str, list[Any]] = {}
    for event in audit_model.objects.filter(kind__in=KINDS, target_type=TARGET).order_by(
        "occurred_at", "pk"
    ):
        audits.setdefault(event.target_id, []).append(event)
    rows: list[Any] = []
    escalations = escalation_model.objects.select_related("raised_by", "hub").order_by("pk")
    for esc in escalations.iterator(chunk_size=2000):
        moves: list[tuple[str, Any, Any, str, str]] = []  # move, at, actor id, label, note
        seen: set[str] = set()
        for event in audits.get(str(esc.pk), []):
            move = KINDS[event.kind]
            note = (event.payload or {}).get("resolution", "") if move == "resolve" else ""
            moves.append((move, event.occurred_at, event.actor_id, event.actor_label, note))
            seen.add(move)
        if "raise" not in seen:
            moves.insert(0, ("raise", esc.created_at, esc.raised_by_id, _label(esc.raised_by), ""))
        if "assign" not in seen and esc.assigned_at is not None:
            moves.append(("assign", esc.assigned_at, None, "system", ""))
        if "resolve" not in seen and esc.resolved_at is not None:
            moves.append(("resolve", esc.resolved_at, None, "system", esc.resolution))
        # raised first, resolved last (a resolved escalation takes no move), assignments between.
        moves.sort(key=lambda m: (list(TARGET_STATE).index(m[0]), m[1]))
        behalf = f"{esc.hub.name}（受民政局委托）"[:200]
        state = ""
        for move, at, actor_id, label, note in moves:
            target = TARGET_STATE[move]
            rows.append(
                event_model(
                    workflow=KEY,
                    object_id=esc.pk,
                    move=move,
                    from_state=state,
                    to_state=target,
                    actor_id=actor_id,
                    actor_label=label or "system",
                    on_behalf_of=behalf if move == "raise" else "",
                    note=note or "",
                    occurred_at=at,
                )
            )
            state = target
    event_model.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def drop_escalation_history(event_model: Any) -> int:
    """The reverse: the escalations' history rows go (the records and audit trail stay)."""
    deleted, _by_model = event_model.objects.filter(workflow=KEY).delete()
    return int(deleted)
