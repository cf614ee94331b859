"""Moving the rounds' own history (``RoundStateChange``) into the one history.

``copy_round_history`` is the forward step of migration ``0002_round_history_to_core``; it takes
the historical models (``apps.get_model``), so the migration and its test run the same code.
The old rows named the move ``transition``, the states ``source``/``target``, the time
``created_at``, and kept the actor only as a label (``str(user)``: the display name, else the
user name): the label is kept, and the user is linked back when exactly one user has it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

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


# ---------------------------------------------------------------------------------------------
# Objections and grades had no history of their own: their moves were written on the record
# (filed_on/filed_by, decided_on/decided_by/decision; awarded_on, state, ended_on, reason,
# trigger_code) and in the audit trail. ``build_objection_and_grade_history`` (migration
# ``0004_objection_and_grade_history``) writes their history rows from there: the audit event of
# a move gives its time and actor when there is one, the record's dates otherwise.

OBJECTION_KEY = "ratings.objection"
GRADE_KEY = "ratings.grade"
LAPSED_REASON = "有效期届满"


def _audit_index(audit_model: Any, kinds: tuple[str, ...], target_type: str) -> dict[Any, Any]:
    """{(kind, target id): the first audit event of that kind on that record}."""
    found: dict[Any, Any] = {}
    rows = audit_model.objects.filter(kind__in=kinds, target_type=target_type).order_by(
        "occurred_at", "pk"
    )
    for event in rows.iterator(chunk_size=BATCH):
        found.setdefault((event.kind, event.target_id), event)
    return found


def _at_day(day: Any) -> Any:
    """A day without a time: its start in the site's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _label(user: Any) -> str:
    return (getattr(user, "display_name", "") or user.username) if user is not None else "system"


def _event(
    event_model: Any,
    key: str,
    object_id: int,
    move: str,
    source: str,
    target: str,
    *,
    audit: Any = None,
    user: Any = None,
    day: Any = None,
    note: str = "",
) -> Any:
    if audit is not None:
        actor_id, label, at = audit.actor_id, audit.actor_label, audit.occurred_at
    else:
        actor_id, label, at = getattr(user, "pk", None), _label(user), _at_day(day)
    return event_model(
        workflow=key,
        object_id=object_id,
        move=move,
        from_state=source,
        to_state=target,
        actor_id=actor_id,
        actor_label=(label or "system")[:150],
        on_behalf_of="",
        note=note or "",
        occurred_at=at,
    )


def build_objection_and_grade_history(
    objection_model: Any, grade_model: Any, event_model: Any, audit_model: Any
) -> dict[str, int]:
    """Write the history rows of every objection and grade that has none; returns rows per key."""
    counts = {OBJECTION_KEY: 0, GRADE_KEY: 0}
    batch: list[Any] = []

    def add(event: Any) -> None:
        batch.append(event)
        counts[event.workflow] += 1
        if len(batch) >= BATCH:
            event_model.objects.bulk_create(batch)
            batch.clear()

    done = set(
        event_model.objects.filter(workflow=OBJECTION_KEY).values_list("object_id", flat=True)
    )
    audits = _audit_index(
        audit_model, ("ratings.objection_filed", "ratings.objection_decided"), "ratings.objection"
    )
    objections = objection_model.objects.select_related("filed_by", "decided_by").order_by("pk")
    for o in objections.iterator(chunk_size=BATCH):
        if o.pk in done:
            continue
        filed = audits.get(("ratings.objection_filed", str(o.pk)))
        add(
            _event(
                event_model, OBJECTION_KEY, o.pk, "file", "", "filed",
                audit=filed, user=o.filed_by, day=o.filed_on,
            )
        )  # fmt: skip
        if o.state != "filed":
            decided = audits.get(("ratings.objection_decided", str(o.pk)))
            add(
                _event(
                    event_model, OBJECTION_KEY, o.pk,
                    "uphold" if o.state == "upheld" else "reject", "filed", o.state,
                    audit=decided, user=o.decided_by, day=o.decided_on or o.filed_on,
                    note=o.decision,
                )
            )  # fmt: skip

    done = set(event_model.objects.filter(workflow=GRADE_KEY).values_list("object_id", flat=True))
    audits = _audit_index(
        audit_model, ("ratings.grade_lapsed", "ratings.grade_downgraded"), "ratings.grade"
    )
    for g in grade_model.objects.order_by("pk").iterator(chunk_size=BATCH):
        if g.pk in done:
            continue
        given = "reissue_lower" if g.previous_id else "award"
        add(
            _event(
                event_model, GRADE_KEY, g.pk, given, "", "valid",
                day=g.awarded_on, note=g.reason if g.previous_id else "",
            )
        )  # fmt: skip
        if g.state == "valid":
            continue
        ended = g.ended_on or g.awarded_on
        lapsed = audits.get(("ratings.grade_lapsed", str(g.pk)))
        if g.state == "expired":
            move = "lapse" if lapsed is not None or g.reason == LAPSED_REASON else "supersede"
            add(
                _event(
                    event_model, GRADE_KEY, g.pk, move, "valid", "expired", audit=lapsed, day=ended
                )
            )
            continue
        downgraded = audits.get(("ratings.grade_downgraded", str(g.pk)))
        manual = g.trigger_code == "manual"
        if g.state == "downgraded":
            move = "downgrade" if manual else "auto_downgrade"
        else:
            move = "cancel" if manual else "auto_cancel"
        add(
            _event(
                event_model, GRADE_KEY, g.pk, move, "valid", g.state,
                audit=downgraded, day=ended, note=g.reason,
            )
        )  # fmt: skip
    if batch:
        event_model.objects.bulk_create(batch)
    return counts


def drop_objection_and_grade_history(event_model: Any) -> int:
    """The reverse: the records and the audit trail keep what the rows were built from."""
    deleted, _count = event_model.objects.filter(workflow__in=(OBJECTION_KEY, GRADE_KEY)).delete()
    return int(deleted)
