"""Moving the rounds' own history (``RoundStateChange``) into the one history.

``copy_round_history`` is the forward step of migration ``0002_round_history_to_core``; it takes
the historical models (``apps.get_model``), so the migration and its test run the same code.
The old rows named the move ``transition``, the states ``source``/``target``, the time
``created_at``, and kept the actor only as a label (``str(user)``: the display name, else the
user name): the label is kept, and the user is linked back when exactly one user has it.
"""

from __future__ import annotations

from typing import Any

KEY = "ratings.round"
BATCH = 2000


def _users_by_label(user_model: Any, labels: set[str]) -> dict[str, int]:
    """{label: user id} for the labels exactly one user shows as (display name, else user name)."""
    found: dict[str, list[int]] = {}
    if not labels:
        return {}
    candidates = user_model.objects.filter(display_name__in=labels) | user_model.objects.filter(
        username__in=labels
    )
    for user in candidates.only("pk", "display_name", "username"):
        found.setdefault(user.display_name or user.username, []).append(user.pk)
    return {label: ids[0] for label, ids in found.items() if len(ids) == 1}


def copy_round_history(old_model: Any, event_model: Any, user_model: Any) -> int:
    """Copy every ``RoundStateChange`` row into ``WorkflowEvent``; returns the rows copied."""
    labels = set(old_model.objects.values_list("actor_label", flat=True).distinct())
    users = _users_by_label(user_model, labels - {"system", ""})
    batch: list[Any] = []
    copied = 0
    for row in old_model.objects.order_by("pk").iterator(chunk_size=BATCH):
        label = row.actor_label or "system"
        batch.append(
            event_model(
                workflow=KEY,
                object_id=row.round_id,
                move=row.transition,
                from_state=row.source or "",
                to_state=row.target,
                actor_id=users.get(label),
                actor_label=label[:150],
                on_behalf_of="",
                note=row.note or "",
                occurred_at=row.created_at,
            )
        )
        if len(batch) >= BATCH:
            event_model.objects.bulk_create(batch)
            copied += len(batch)
            batch = []
    if batch:
        event_model.objects.bulk_create(batch)
        copied += len(batch)
    return copied


def copy_round_history_back(event_model: Any, old_model: Any) -> int:
    """The reverse: rebuild the old rows from the events of rounds, then drop those events."""
    events = list(event_model.objects.filter(workflow=KEY).order_by("occurred_at", "pk"))
    for event in events:
        row = old_model.objects.create(
            round_id=event.object_id,
            transition=event.move[:32],
            source=event.from_state[:16],
            target=event.to_state[:16],
            actor_label=event.actor_label,
            note=event.note[:500],
        )
        # created_at is auto_now_add: put the original time back after the insert.
        old_model.objects.filter(pk=row.pk).update(created_at=event.occurred_at)
    event_model.objects.filter(workflow=KEY).delete()
    return len(events)
