"""Objections to published results (PG39 art. 20–23), decided on the one workflow engine
(``ratings.objection``): filing writes the first history row, the decision is a move of
``workflows.OBJECTION_TRANSITIONS`` made by the bureau running the round."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import ValidationFailed
from npohub.core.permissions import require
from npohub.core.templatetags.npohub import cn_date
from npohub.core.workflows import (
    HistoryRow,
    MoveContext,
    Transition,
    Workflow,
    history_for,
    history_for_many,
    record_event,
    register,
    run_move,
)

from ..models import Application, Objection, ObjectionState
from ..permissions import can_decide_objection, can_file_objection, objection_capacities
from ..policy import level_for, policy_for
from ..workflows import BUREAU, OBJECTION_FILED, OBJECTION_KEY, OBJECTION_TRANSITIONS
from .common import RatingError

ObjectionContext = MoveContext[Objection]


def objection_file(
    *, actor: User, application: Application, reasons: str, today: dt.date | None = None
) -> Objection:
    """The organisation objects in writing during the comment period."""
    today = today or timezone.localdate()
    require(can_file_objection(actor, application))
    round = application.round
    if round.comment_until and today > round.comment_until:
        raise RatingError(
            _("公示期已于%(date)s结束") % {"date": cn_date(round.comment_until)},
            code="ratings.comment_closed",
        )
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationFailed(_("请写明异议理由"), details={"reasons": _("必填")})
    days = int(policy_for(round.region.code)["objection_decision_days"])
    with transaction.atomic():
        objection = Objection.objects.create(
            application=application,
            filed_by=actor,
            filed_on=today,
            reasons=reasons,
            due_on=today + dt.timedelta(days=days),
        )
        record_event(
            OBJECTION_WORKFLOW,
            objection,
            move=OBJECTION_FILED.name,
            from_state="",
            to_state=objection.state,
            actor=actor,
        )
        audit_record(
            actor=actor,
            kind="ratings.objection_filed",
            target=objection,
            organization_id=application.organization_id,
            region_code=application.organization.address_code,
            payload={"due_on": objection.due_on.isoformat()},
        )
    return objection


# --- the decision on the engine ----------------------------------------------------------------


def _guard_majority_for(ctx: ObjectionContext) -> None:
    votes_for, votes_against = ctx.data["votes_for"], ctx.data["votes_against"]
    if votes_for <= votes_against:
        raise ValidationFailed(
            _("赞成票未过半数，异议不能认定为成立"), details={"votes_for": _("无效")}
        )


def _guard_no_majority_for(ctx: ObjectionContext) -> None:
    votes_for, votes_against = ctx.data["votes_for"], ctx.data["votes_against"]
    if votes_for > votes_against:
        raise ValidationFailed(
            _("赞成票已过半数，异议应认定为成立"), details={"votes_for": _("无效")}
        )


def _effect_set_new_total(ctx: ObjectionContext) -> None:
    """An upheld objection may set a new total, and so a new level."""
    value: Decimal | None = ctx.data.get("new_total")
    if value is None:
        return
    objection = ctx.obj
    application = objection.application
    application.final_total = value
    application.level = level_for(value, application.round.thresholds)
    application.save(update_fields=["final_total", "level", "updated_at"])
    objection.new_level = application.level
    ctx.payload["level"] = application.level


def _on_move(ctx: ObjectionContext) -> None:
    """Every decision: the written decision (the move's note), the votes, who and when."""
    objection = ctx.obj
    objection.decision = ctx.note
    objection.votes_for, objection.votes_against = ctx.data["votes_for"], ctx.data["votes_against"]
    objection.decided_by = ctx.actor
    objection.decided_on = ctx.today
    # The audit payload keeps its shape (the effect updates the level it changes).
    ctx.payload.update(
        upheld=ctx.move.target == ObjectionState.UPHELD,
        votes=[objection.votes_for, objection.votes_against],
        level=objection.application.level,
    )


OBJECTION_WORKFLOW: Workflow[Objection] = register(
    Workflow(
        key=OBJECTION_KEY,
        label=gettext_lazy("评估结果异议"),
        model=Objection,
        states=ObjectionState,
        moves=OBJECTION_TRANSITIONS,
        resolver=objection_capacities,
        guards={"majority_for": _guard_majority_for, "no_majority_for": _guard_no_majority_for},
        effects={"set_new_total": _effect_set_new_total},
        on_move=_on_move,
        # One audit kind for both decisions, as before the engine.
        audit_kind=lambda move: "ratings.objection_decided",
        organization_id=lambda o: o.application.organization_id,
        region_code=lambda o: o.application.organization.address_code,
        refusals={BUREAU: lambda: _("只有组织本轮评估的民政部门可以复核异议")},
        note_message=lambda move: _("请填写书面复核决定"),
        invalid_code="ratings.invalid_transition",
        lock_related=("application__round__region", "application__organization"),
    ),
    extra_moves=(OBJECTION_FILED,),
)


def objection_decide(
    *,
    actor: User,
    objection: Objection,
    upheld: bool,
    decision: str,
    votes_for: int,
    votes_against: int,
    new_total: Any = None,
    today: dt.date | None = None,
) -> Objection:
    """A written review decision taken by named vote: upheld only with a majority for it; an
    upheld objection may set a new total (and so a new level). The move (``uphold`` or
    ``reject``) runs on the engine, which locks the objection: of two concurrent decisions only
    the first is taken."""
    # Refused first, as before the engine (the engine asks again with the objection locked).
    require(can_decide_objection(actor, objection))
    errors: dict[str, str] = {}
    if not (decision or "").strip():
        errors["decision"] = _("请填写书面复核决定")
    if votes_for < 0 or votes_against < 0 or votes_for + votes_against == 0:
        errors["votes_for"] = _("请填写表决票数")
    elif upheld and votes_for <= votes_against:
        errors["votes_for"] = _("赞成票未过半数，异议不能认定为成立")
    elif not upheld and votes_for > votes_against:
        errors["votes_for"] = _("赞成票已过半数，异议应认定为成立")
    value: Decimal | None = None
    if upheld and new_total not in (None, ""):
        try:
            value = Decimal(str(new_total)).quantize(Decimal("0.1"))
        except (InvalidOperation, ValueError):
            errors["new_total"] = _("复核后得分不是数字")
        else:
            if value < 0 or value > 1000:
                errors["new_total"] = _("复核后得分应在0至1000分之间")
    if errors:
        raise ValidationFailed(next(iter(errors.values())), details=errors)
    return run_move(
        OBJECTION_WORKFLOW,
        objection,
        "uphold" if upheld else "reject",
        actor=actor,
        note=decision,
        today=today,
        data={"votes_for": votes_for, "votes_against": votes_against, "new_total": value},
    )


def objection_moves_for(actor: User, objection: Objection) -> list[Transition]:
    """The decisions ``actor`` may take on the objection now."""
    return OBJECTION_WORKFLOW.moves_for(actor, objection)


def objection_history(objection: Objection) -> list[HistoryRow]:
    return history_for(OBJECTION_WORKFLOW, objection)


def objection_histories(ids: list[int]) -> dict[int, list[HistoryRow]]:
    """Histories of many objections in one query (the application page lists them)."""
    return history_for_many(OBJECTION_WORKFLOW, ids)
