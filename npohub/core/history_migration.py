"""Moving an app's own state-history rows into the one history (``core.WorkflowEvent``).

Each app whose workflow kept its own history model moves its rows with :func:`copy_into_events`
in a data migration (historical models only), then deletes the model. The same function is
tested directly (``core/tests/test_history_migration.py``), and the count per workflow is the
same before and after.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

BATCH = 2000


def copy_into_events(
    old_model: Any,
    event_model: Any,
    *,
    key_of: Callable[[Any], str],
    object_id_of: Callable[[Any], int],
    move: str = "transition",
    from_state: str = "from_state",
    to_state: str = "to_state",
    occurred_at: str = "occurred_at",
    actor_label: str | None = "actor_label",
    on_behalf_of: str | None = "on_behalf_of",
    note: str | None = "note",
) -> dict[str, int]:
    """Copy every row of ``old_model`` into ``event_model``; returns rows copied per workflow.

    Field names say where each value is in the old shape (they drifted between apps); a missing
    actor label is the actor's display name or user name, or "system" for a row with no actor.
    """
    counts: dict[str, int] = {}
    batch: list[Any] = []
    rows = old_model.objects.select_related("actor").order_by("pk").iterator(chunk_size=BATCH)
    for row in rows:
        key = key_of(row)
        label = getattr(row, actor_label, "") if actor_label else ""
        if not label:
            actor = row.actor
            label = (getattr(actor, "display_name", "") or actor.username) if actor else "system"
        batch.append(
            event_model(
                workflow=key,
                object_id=object_id_of(row),
                move=getattr(row, move) or "",
                from_state=getattr(row, from_state) or "",
                to_state=getattr(row, to_state) or "",
                actor_id=row.actor_id,
                actor_label=str(label)[:150],
                on_behalf_of=(getattr(row, on_behalf_of) or "")[:200] if on_behalf_of else "",
                note=(getattr(row, note) or "") if note else "",
                occurred_at=getattr(row, occurred_at),
            )
        )
        counts[key] = counts.get(key, 0) + 1
        if len(batch) >= BATCH:
            event_model.objects.bulk_create(batch)
            batch = []
    if batch:
        event_model.objects.bulk_create(batch)
    return counts


def copy_back(
    event_model: Any,
    old_model: Any,
    *,
    keys: tuple[str, ...],
    build: Callable[[Any], Any],
) -> int:
    """Reverse of :func:`copy_into_events`: rebuild old rows (``build(event)``) and drop the events."""
    events = event_model.objects.filter(workflow__in=keys).order_by("pk")
    rows = [build(e) for e in events.iterator(chunk_size=BATCH)]
    old_model.objects.bulk_create(rows, batch_size=BATCH)
    events.delete()
    return len(rows)
