"""Appeals against a deduction, decided on the one workflow engine (``stars.appeal``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import Conflict, ValidationFailed
from npohub.core.permissions import require
from npohub.core.templatetags.npohub import cn_month
from npohub.core.workflows import (
    HistoryRow,
    MoveContext,
    Workflow,
    history_for,
    record_event,
    register,
    run_move,
)
from npohub.notifications.services import notify
from npohub.orgs.scope import organization_accounts

from ..models import AppealState, MonthlyScorecard, ScoreAppeal, ScoreLine
from ..permissions import appeal_capacities, appeal_refusal, can_file_appeal
from ..workflows import APPEAL_FILED, APPEAL_KEY, APPEAL_TRANSITIONS, DECIDER, Transition
from .common import TENTH, _decimal, _user_or_none

# --- appeals ----------------------------------------------------------------------------------


@transaction.atomic
def appeal_file(*, actor: User, line: ScoreLine, grounds: str) -> ScoreAppeal:
    """The organisation appeals one deduction (one open appeal per line)."""
    line = ScoreLine.objects.select_related(
        "scorecard__organization", "scorecard__hub", "item"
    ).get(pk=line.pk)
    card = line.scorecard
    require(can_file_appeal(actor, card))
    if line.points >= line.item.max_points:
        raise ValidationFailed(
            _("“%(item)s”没有扣分，无需申诉") % {"item": line.item.name},
            code="stars.nothing_to_appeal",
        )
    if not grounds.strip():
        raise ValidationFailed(_("请填写申诉理由"), details={"grounds": _("必填")})
    try:
        with transaction.atomic():
            appeal = ScoreAppeal.objects.create(
                line=line,
                organization=card.organization,
                grounds=grounds.strip(),
                filed_by=_user_or_none(actor),
            )
    except IntegrityError:
        raise Conflict(
            _("“%(item)s”已有待处理的申诉") % {"item": line.item.name},
            code="stars.appeal_pending",
        ) from None
    record_event(
        APPEAL_WORKFLOW,
        appeal,
        move=APPEAL_FILED.name,
        from_state="",
        to_state=appeal.state,
        actor=actor,
    )
    audit_record(
        actor=actor,
        kind="stars.appeal_filed",
        target=appeal,
        payload={"line": line.pk, "item": line.item.code, "period": card.period.isoformat()},
        organization_id=card.organization_id,
        region_code=card.organization.address_code,
    )
    if card.scored_by_id:
        notify(
            recipients=User.objects.filter(pk=card.scored_by_id),
            kind="stars.appeal",
            title=_("%(org)s对%(month)s评分提出申诉")
            % {"org": card.organization.name, "month": cn_month(card.period)},
            body=appeal.grounds[:500],
            url=reverse("stars:appeal-detail", args=[appeal.pk]),
            actor=_user_or_none(actor),
        )
    return appeal


AppealContext = MoveContext[ScoreAppeal]


def _adjust_points(appeal: ScoreAppeal, points: Decimal) -> None:
    line = appeal.line
    if points < 0 or points > line.item.max_points or points.quantize(TENTH) != points:
        raise ValidationFailed(
            _("调整后得分须在0到%(max)s分之间，最多一位小数") % {"max": line.item.max_points},
            code="stars.invalid_adjustment",
            details={"adjusted_points": _("无效")},
        )
    if points <= line.points:
        raise ValidationFailed(
            _("调整后得分须高于原得分%(points)s分；不调整请选择维持原评分")
            % {"points": line.points},
            code="stars.invalid_adjustment",
            details={"adjusted_points": _("无效")},
        )
    delta = points - line.points
    line.points = points
    line.save(update_fields=["points"])
    MonthlyScorecard.objects.filter(pk=line.scorecard_id).update(total=F("total") + delta)
    appeal.adjusted_points = points


def _guard_points_given(ctx: AppealContext) -> None:
    raw = ctx.data.get("adjusted_points")
    if raw in (None, ""):
        raise ValidationFailed(_("请填写调整后得分"), details={"adjusted_points": _("必填")})
    ctx.data["adjusted_points"] = _decimal(raw, "adjusted_points", _("调整后得分"))


def _effect_adjust_points(ctx: AppealContext) -> None:
    _adjust_points(ctx.obj, ctx.data["adjusted_points"])
    ctx.payload["points_after"] = str(ctx.obj.line.points)


def _on_move(ctx: AppealContext) -> None:
    """Every decision: its note, who took it and when; the audit payload keeps the points."""
    appeal = ctx.obj
    appeal.decision_note = ctx.note
    appeal.decided_by = _user_or_none(ctx.actor)
    appeal.decided_at = timezone.now()
    points = str(appeal.line.points)
    ctx.payload.update(transition=ctx.move.name, points_before=points, points_after=points)


def _notify(ctx: AppealContext) -> None:
    appeal = ctx.obj
    notify(
        recipients=organization_accounts(appeal.organization_id),
        kind="stars.appeal",
        title=_("评分申诉已处理：%(state)s") % {"state": appeal.get_state_display()},
        body=appeal.decision_note[:500],
        url=reverse("stars:appeal-detail", args=[appeal.pk]),
        actor=_user_or_none(ctx.actor),
    )


APPEAL_WORKFLOW: Workflow[ScoreAppeal] = register(
    Workflow(
        key=APPEAL_KEY,
        label=_("评分申诉"),
        model=ScoreAppeal,
        states=AppealState,
        moves=APPEAL_TRANSITIONS,
        resolver=appeal_capacities,
        guards={"points_given": _guard_points_given},
        effects={"adjust_points": _effect_adjust_points},
        on_move=_on_move,
        notify=_notify,
        audit_kind=lambda move: f"stars.appeal_{move.target}",
        organization_id=lambda appeal: appeal.organization_id,
        region_code=lambda appeal: appeal.organization.address_code,
        refusals={DECIDER: appeal_refusal},
        note_message=lambda move: _("请填写处理意见"),
        invalid_code="stars.invalid_transition",
        lock_related=(
            "organization__authority_region",
            "line__item",
            "line__scorecard__hub__organization",
        ),
    ),
    extra_moves=(APPEAL_FILED,),
)


def appeal_transition(
    *,
    actor: User,
    appeal: ScoreAppeal,
    transition: str,
    note: str = "",
    adjusted_points: Any = None,
) -> ScoreAppeal:
    """Decide an appeal by the table in ``workflows.APPEAL_TRANSITIONS`` (uphold / adjust)."""
    return run_move(
        APPEAL_WORKFLOW,
        appeal,
        transition,
        actor=actor,
        note=note,
        data={"adjusted_points": adjusted_points},
    )


def appeal_moves_for(actor: User, appeal: ScoreAppeal) -> list[Transition]:
    """The decisions ``actor`` may take on the appeal now (the forms to show)."""
    return [m for m in APPEAL_WORKFLOW.moves_for(actor, appeal) if isinstance(m, Transition)]


def appeal_history(appeal: ScoreAppeal) -> list[HistoryRow]:
    return history_for(APPEAL_WORKFLOW, appeal)
