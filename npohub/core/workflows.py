"""The one workflow engine: workflows as data, one runner, one history.

A workflow is a table of ``Transition`` rows (a *move*: its name and label, the states it leaves
from, the state it reaches, the capacity that may make it, the named guards, the named effect,
whether a reason is required) plus a ``Workflow`` that says which model and state field the
table drives, the states with their labels (a ``TextChoices``), how to tell which capacities an
actor holds on a record (the app's *resolver*), the app's guards and effects by name, and whom
to notify.

:func:`run_move` is the only path that changes a workflow record's state. In one transaction it
locks the row (``select_for_update``), looks the move up, checks the current state is one of its
sources, checks the actor holds its capacity (``system`` moves only without a signed-in actor),
requires the note when the move needs one, runs the guards, sets the state, runs the effect,
saves, writes one :class:`~npohub.core.models.WorkflowEvent` and one audit event, and notifies.
Two concurrent moves on one record therefore cannot both succeed: the second waits for the
lock, re-reads the state and is refused with :class:`InvalidTransition`.

History is one model for every workflow (``WorkflowEvent``, keyed by the workflow's key and the
record's id) rather than read from the audit trail: a record's history is read in order on every
detail page and API call, so it wants its own narrow index; and it stores codes, read back as
labels in the request's language through the workflow table (:func:`history_for`), so no page
shows a raw code.

Apps keep only their table, guards, effects, resolver and notifier; they register their
``Workflow`` with :func:`register` so the history display and the crawler's raw-code check know
every state and move.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .audit import OnBehalfOf, actor_label_for, audit_record
from .errors import InvalidTransition, PermissionDenied, ValidationFailed

if TYPE_CHECKING:
    from .models import WorkflowEvent


@dataclass(frozen=True)
class Transition:
    """One move of a workflow table."""

    name: str
    label: Promise | str
    sources: frozenset[str]
    target: str
    capacity: str  # who may make it, in the app's own vocabulary (applicant, bureau, system …)
    guards: tuple[str, ...] = ()
    effect: str = ""
    needs_note: bool = False  # a reason is required (refusals and returns)


T = TypeVar("T", bound=Transition)
M = TypeVar("M", bound=models.Model)

SYSTEM = "system"


def transition_named(table: Iterable[T], name: str) -> T | None:
    """The move called ``name`` in ``table`` (None: no such move)."""
    return next((t for t in table if t.name == name), None)


def transitions_from(table: Iterable[T], state: str) -> list[T]:
    """The moves ``table`` allows out of ``state``, in table order."""
    return [t for t in table if state in t.sources]


@dataclass(frozen=True)
class Capacities:
    """What a resolver answers: the capacities an actor holds on a record, and for whom."""

    held: frozenset[str] = frozenset()
    on_behalf_of: OnBehalfOf | None = None


NO_CAPACITY = Capacities()


@dataclass
class MoveContext(Generic[M]):
    """What guards, effects and notifiers may read and record during one move."""

    workflow: Workflow[M]
    obj: M
    move: Transition
    actor: Any
    today: dt.date
    note: str = ""
    from_state: str = ""
    on_behalf_of: OnBehalfOf | None = None
    data: dict[str, Any] = field(default_factory=dict)  # the move's extra inputs
    # Filled by effects: more audit payload, and a system move to run right after this one.
    payload: dict[str, Any] = field(default_factory=dict)
    follow_up: str = ""


Hook = Callable[[MoveContext[Any]], None]


def _generic_refusal(capacity: str) -> str:
    if capacity == SYSTEM:
        return _("该步骤由系统自动完成")
    return _("无权执行此操作")


@dataclass(frozen=True)
class Workflow(Generic[M]):
    """A workflow: the table a model's state field follows, and the app's pieces around it."""

    key: str  # stable, stored in the history ("registration.application")
    label: Promise | str  # what the record is called in messages ("申请", "投诉举报")
    model: type[M]
    states: type[models.TextChoices]
    moves: tuple[Transition, ...] = ()
    # The table of one record when it depends on the record (registration: per kind).
    table: Callable[[M], Sequence[Transition]] | None = None
    state_field: str = "state"
    resolver: Callable[[Any, M], Capacities] = lambda actor, obj: NO_CAPACITY
    guards: Mapping[str, Hook] = field(default_factory=dict)
    effects: Mapping[str, Hook] = field(default_factory=dict)
    # Runs on every move after the state is set, before the effect (timestamps, decision notes).
    on_move: Hook | None = None
    notify: Hook | None = None
    audit_prefix: str = ""  # audit kind is f"{audit_prefix}{move.name}"; default f"{key}."
    # When an app's audit kinds do not follow the move name (one kind for every move, or named
    # by the target state): the kind of each move, instead of ``audit_prefix``.
    audit_kind: Callable[[Transition], str] | None = None
    organization_id: Callable[[M], int | None] = lambda obj: None
    region_code: Callable[[M], str] = lambda obj: ""
    refusals: Mapping[str, Callable[[], str]] = field(default_factory=dict)
    note_message: Callable[[Transition], str] | None = None
    invalid_code: str = InvalidTransition.code
    lock_related: tuple[str, ...] = ()

    # -- the table

    def table_of(self, obj: M) -> Sequence[Transition]:
        return self.table(obj) if self.table is not None else self.moves

    def all_moves(self) -> list[Transition]:
        """Every move the workflow knows (for labels); per-record tables are read from registry."""
        return list(self.moves) + list(_EXTRA_MOVES.get(self.key, ()))

    def transition(self, obj: M, name: str) -> Transition | None:
        return transition_named(self.table_of(obj), name)

    def state_of(self, obj: M) -> str:
        return str(getattr(obj, self.state_field))

    def available(self, obj: M) -> list[Transition]:
        return transitions_from(self.table_of(obj), self.state_of(obj))

    # -- labels

    def state_label(self, code: str) -> str:
        try:
            return str(self.states(code).label)
        except ValueError:
            return code

    def move_label(self, name: str) -> str:
        move = transition_named(self.all_moves(), name)
        return str(move.label) if move is not None else name

    # -- who may

    def capacities(self, actor: Any, obj: M) -> Capacities:
        if actor is None or not getattr(actor, "is_authenticated", False):
            return NO_CAPACITY
        return self.resolver(actor, obj)

    def moves_for(self, actor: Any, obj: M) -> list[Transition]:
        """The moves out of the record's state that ``actor`` may make (the buttons to show)."""
        held = self.capacities(actor, obj).held
        return [m for m in self.available(obj) if m.capacity in held]

    def refusal(self, capacity: str) -> str:
        message = self.refusals.get(capacity)
        return message() if message is not None else _generic_refusal(capacity)


_REGISTRY: dict[str, Workflow[Any]] = {}
_EXTRA_MOVES: dict[str, list[Transition]] = {}


def register(workflow: Workflow[M], *, extra_moves: Iterable[Transition] = ()) -> Workflow[M]:
    """Make a workflow known to the history display and the raw-code checks (at import)."""
    _REGISTRY[workflow.key] = workflow
    models.signals.post_delete.connect(
        _history_cleaner(workflow), sender=workflow.model, weak=False, dispatch_uid=workflow.key
    )
    if extra_moves:
        seen = {m.name for m in workflow.moves}
        extra = _EXTRA_MOVES.setdefault(workflow.key, [])
        for move in extra_moves:
            if move.name not in seen:
                seen.add(move.name)
                extra.append(move)
    return workflow


def _history_cleaner(workflow: Workflow[Any]) -> Callable[..., None]:
    def clean(sender: Any, instance: models.Model, **kwargs: Any) -> None:
        delete_history(workflow, [instance.pk])

    return clean


def registered() -> dict[str, Workflow[Any]]:
    return dict(_REGISTRY)


def workflow_named(key: str) -> Workflow[Any] | None:
    return _REGISTRY.get(key)


def _lock(workflow: Workflow[M], obj: M) -> M:
    qs = workflow.model._default_manager.select_for_update(of=("self",))
    if workflow.lock_related:
        qs = qs.select_related(*workflow.lock_related)
    return qs.get(pk=obj.pk)


def run_move(
    workflow: Workflow[M],
    obj: M,
    move_name: str,
    *,
    actor: Any,
    note: str = "",
    today: dt.date | None = None,
    data: dict[str, Any] | None = None,
) -> M:
    """Make the move ``move_name`` on ``obj`` (the only path that changes a workflow state)."""
    with transaction.atomic():
        obj = _lock(workflow, obj)
        move = workflow.transition(obj, move_name)
        if move is None:
            raise InvalidTransition(
                _("“%(record)s”没有“%(move)s”这一步")
                % {"record": workflow.label, "move": workflow.move_label(move_name)},
                code=workflow.invalid_code,
                details={"transition": move_name},
            )
        state = workflow.state_of(obj)
        if state not in move.sources:
            raise InvalidTransition(
                _("%(record)s处于“%(state)s”状态，不能“%(move)s”")
                % {
                    "record": workflow.label,
                    "state": workflow.state_label(state),
                    "move": move.label,
                },
                code=workflow.invalid_code,
                details={"state": state, "transition": move_name},
            )
        on_behalf: OnBehalfOf | None = None
        signed_in = actor is not None and getattr(actor, "is_authenticated", False)
        if move.capacity == SYSTEM:
            if signed_in:
                raise PermissionDenied(workflow.refusal(SYSTEM))
        else:
            capacities = workflow.capacities(actor, obj)
            if move.capacity not in capacities.held:
                raise PermissionDenied(workflow.refusal(move.capacity))
            on_behalf = capacities.on_behalf_of
        note = (note or "").strip()
        if move.needs_note and not note:
            message = workflow.note_message(move) if workflow.note_message else _("请填写理由")
            raise ValidationFailed(message, details={"note": _("必填")})
        ctx: MoveContext[M] = MoveContext(
            workflow=workflow,
            obj=obj,
            move=move,
            actor=actor,
            today=today or timezone.localdate(),
            note=note,
            from_state=state,
            on_behalf_of=on_behalf,
            data=dict(data or {}),
        )
        for guard in move.guards:
            workflow.guards[guard](ctx)
        setattr(ctx.obj, workflow.state_field, move.target)
        if workflow.on_move is not None:
            workflow.on_move(ctx)
        if move.effect:
            workflow.effects[move.effect](ctx)
        ctx.obj.save()
        record_event(
            workflow,
            ctx.obj,
            move=move.name,
            from_state=state,
            to_state=move.target,
            actor=actor,
            note=note,
            on_behalf_of=on_behalf,
        )
        audit_record(
            actor=actor,
            kind=workflow.audit_kind(move)
            if workflow.audit_kind is not None
            else f"{workflow.audit_prefix or workflow.key + '.'}{move.name}",
            target=ctx.obj,
            payload={"from": state, "to": move.target, "note": note, **ctx.payload},
            on_behalf_of=on_behalf,
            organization_id=workflow.organization_id(ctx.obj),
            region_code=workflow.region_code(ctx.obj),
        )
        if workflow.notify is not None:
            workflow.notify(ctx)
        if ctx.follow_up:
            return run_move(workflow, ctx.obj, ctx.follow_up, actor=None, today=ctx.today)
        return ctx.obj


def record_event(
    workflow: Workflow[Any],
    obj: models.Model,
    *,
    move: str,
    from_state: str,
    to_state: str,
    actor: Any,
    note: str = "",
    on_behalf_of: OnBehalfOf | None = None,
) -> WorkflowEvent:
    """Write one history row (``run_move`` does; a service that creates a record in a state does)."""
    from .models import WorkflowEvent

    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return WorkflowEvent.objects.create(
        workflow=workflow.key,
        object_id=obj.pk,
        move=move,
        from_state=from_state,
        to_state=to_state,
        actor=user,
        actor_label=actor_label_for(actor)[:150],
        on_behalf_of=on_behalf_of.label[:200] if on_behalf_of else "",
        note=note,
        occurred_at=timezone.now(),
    )


@dataclass(frozen=True)
class HistoryRow:
    """One history row as a page or the API shows it: labels in the request's language."""

    occurred_at: dt.datetime
    move: str
    move_label: str
    from_state: str
    from_label: str
    to_state: str
    to_label: str
    actor_label: str
    on_behalf_of: str
    note: str
    actor_id: int | None

    @property
    def is_system(self) -> bool:
        return self.actor_label == "system"

    @property
    def actor_display(self) -> str:
        return _("系统") if self.is_system else self.actor_label


def _row(workflow: Workflow[Any], event: WorkflowEvent) -> HistoryRow:
    return HistoryRow(
        occurred_at=event.occurred_at,
        move=event.move,
        move_label=workflow.move_label(event.move),
        from_state=event.from_state,
        from_label=workflow.state_label(event.from_state) if event.from_state else "",
        to_state=event.to_state,
        to_label=workflow.state_label(event.to_state),
        actor_label=event.actor_label,
        on_behalf_of=event.on_behalf_of,
        note=event.note,
        actor_id=event.actor_id,
    )


def history_for(workflow: Workflow[Any], obj: models.Model | int) -> list[HistoryRow]:
    """A record's history, oldest first, with every state and move as a label."""
    from .models import WorkflowEvent

    object_id = obj if isinstance(obj, int) else obj.pk
    events = WorkflowEvent.objects.filter(workflow=workflow.key, object_id=object_id).order_by(
        "occurred_at", "id"
    )
    return [_row(workflow, e) for e in events]


def history_for_many(workflow: Workflow[Any], ids: Iterable[int]) -> dict[int, list[HistoryRow]]:
    """Histories of many records in one query (lists and exports)."""
    from .models import WorkflowEvent

    out: dict[int, list[HistoryRow]] = {}
    for event in WorkflowEvent.objects.filter(
        workflow=workflow.key, object_id__in=list(ids)
    ).order_by("occurred_at", "id"):
        out.setdefault(event.object_id, []).append(_row(workflow, event))
    return out


def delete_history(workflow: Workflow[Any], object_ids: Iterable[int]) -> int:
    """Remove the history of deleted records (their rows have no foreign key to cascade)."""
    from .models import WorkflowEvent

    deleted, _count = WorkflowEvent.objects.filter(
        workflow=workflow.key, object_id__in=list(object_ids)
    ).delete()
    return deleted


def all_state_and_move_codes() -> dict[str, str]:
    """Every registered state and move code with its label (for the raw-code page checks)."""
    codes: dict[str, str] = {}
    for workflow in _REGISTRY.values():
        for value, label in workflow.states.choices:
            codes[str(value)] = str(label)
        for move in workflow.all_moves():
            codes[move.name] = str(move.label)
    return codes
