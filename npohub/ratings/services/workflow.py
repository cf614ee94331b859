"""The round workflow on the one engine: guards, effects, the resolver and the runner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Count
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.errors import InvalidTransition
from npohub.core.workflows import (
    HistoryRow,
    MoveContext,
    Transition,
    Workflow,
    history_for,
    register,
    run_move,
)

from ..models import ApplicationState, Assignment, Grade, Objection, ObjectionState, Round
from ..permissions import round_capacities
from ..policy import policy_for
from ..workflows import BUREAU, KEY, RS, TRANSITIONS, available
from .applications import _apply_eligibility
from .grades import _award
from .rounds import tree_problems
from .scoring import compute_panel

# ---------------------------------------------------------------------------------------------
# Guards: each finds the problems that block the move; the refusal names them all (the page
# and the API show the same sentence), and lists them in ``details["problems"]``.

RoundContext = MoveContext[Round]


def _problems_tree_valid(round: Round) -> list[str]:
    return tree_problems(round)


def _problems_has_applications(round: Round) -> list[str]:
    return [] if round.applications.exists() else [_("本轮还没有申报")]


def _problems_panels_complete(round: Round) -> list[str]:
    need = int(policy_for(round.region.code)["panel_min_experts"])
    eligible = list(
        round.applications.filter(state=ApplicationState.ELIGIBLE)
        .select_related("organization")
        .annotate(panel_size=Count("assignments"))
    )
    if not eligible:
        return [_("本轮没有符合参评条件的申报")]
    return [
        _("%(org)s的评审组不足%(n)s名专家") % {"org": app.organization.name, "n": need}
        for app in eligible
        if app.panel_size < need
    ]


def _problems_scores_submitted(round: Round) -> list[str]:
    open_tasks = Assignment.objects.filter(
        application__round=round,
        application__state=ApplicationState.ELIGIBLE,
        submitted_at__isnull=True,
    ).select_related("expert__user", "application__organization")
    return [
        _("%(expert)s尚未提交对%(org)s的评分")
        % {"expert": a.expert.user, "org": a.application.organization.name}
        for a in open_tasks
    ]


def _problems_all_finalised(round: Round) -> list[str]:
    return [
        _("%(org)s的结果尚未审定") % {"org": app.organization.name}
        for app in round.applications.filter(state=ApplicationState.ELIGIBLE).select_related(
            "organization"
        )
    ]


def _problems_objections_decided(round: Round) -> list[str]:
    pending = Objection.objects.filter(application__round=round, state=ObjectionState.FILED)
    return [
        _("%(org)s的异议尚未复核") % {"org": o.application.organization.name}
        for o in pending.select_related("application__organization")
    ]


def _guard(problems: Callable[[Round], list[str]]) -> Callable[[RoundContext], None]:
    def guard(ctx: RoundContext) -> None:
        found = problems(ctx.obj)
        if found:
            raise InvalidTransition(
                "；".join(found), code="ratings.guard_failed", details={"problems": found}
            )

    return guard


GUARDS: dict[str, Callable[[RoundContext], None]] = {
    "tree_valid": _guard(_problems_tree_valid),
    "has_applications": _guard(_problems_has_applications),
    "panels_complete": _guard(_problems_panels_complete),
    "scores_submitted": _guard(_problems_scores_submitted),
    "all_finalised": _guard(_problems_all_finalised),
    "objections_decided": _guard(_problems_objections_decided),
}


# ---------------------------------------------------------------------------------------------
# Effects (the engine saves the round after them)


def _effect_check_eligibility(ctx: RoundContext) -> None:
    for app in ctx.obj.applications.select_related("organization"):
        _apply_eligibility(app, ctx.today)


def _effect_compute_results(ctx: RoundContext) -> None:
    round = ctx.obj
    policy = policy_for(round.region.code)
    for app in round.applications.filter(state=ApplicationState.ELIGIBLE):
        compute_panel(app, policy)


def _effect_open_comment(ctx: RoundContext) -> None:
    round = ctx.obj
    days = int(policy_for(round.region.code)["comment_days"])
    round.comment_from = ctx.today
    round.comment_until = ctx.today + dt.timedelta(days=days)


def _effect_award_grades(ctx: RoundContext) -> None:
    round, today = ctx.obj, ctx.today
    round.finalised_on = today
    serial = Grade.objects.filter(application__round=round).count()
    apps = round.applications.filter(state=ApplicationState.FINALISED).select_related(
        "organization"
    )
    for app in apps.order_by("organization__name", "id"):
        if not app.level:
            app.state = ApplicationState.NOT_AWARDED
            app.save(update_fields=["state", "updated_at"])
            continue
        serial += 1
        _award(round, app, today, serial, ctx.actor)


EFFECTS: dict[str, Callable[[RoundContext], None]] = {
    "check_eligibility": _effect_check_eligibility,
    "compute_results": _effect_compute_results,
    "open_comment": _effect_open_comment,
    "award_grades": _effect_award_grades,
}


def _on_move(ctx: RoundContext) -> None:
    """The audit payload of every round move keeps today's shape (the move and the day)."""
    ctx.payload.update(transition=ctx.move.name, on=ctx.today.isoformat())


ROUND_WORKFLOW: Workflow[Round] = register(
    Workflow(
        key=KEY,
        label=_("评估轮次"),
        model=Round,
        states=RS,
        moves=TRANSITIONS,
        resolver=round_capacities,
        guards=GUARDS,
        effects=EFFECTS,
        on_move=_on_move,
        # One audit kind for every move of a round, as before the engine.
        audit_kind=lambda move: "ratings.round_transitioned",
        region_code=lambda round: round.region.code,
        refusals={BUREAU: lambda: _("只有组织本轮评估的民政部门可以执行此操作")},
        invalid_code="ratings.invalid_transition",
        lock_related=("region",),
    )
)


def round_transition(
    *, actor: User, round: Round, transition: str, note: str = "", today: dt.date | None = None
) -> Round:
    """Move a round along ``workflows.TRANSITIONS`` (the only path that changes its state)."""
    return run_move(ROUND_WORKFLOW, round, transition, actor=actor, note=note, today=today)


def transitions_for(round: Round) -> list[Transition]:
    return available(round.state)


def moves_for(actor: User, round: Round) -> list[Transition]:
    """The moves out of the round's state that ``actor`` may make (the buttons to show)."""
    return ROUND_WORKFLOW.moves_for(actor, round)


def round_history(round: Round) -> list[HistoryRow]:
    """The round's moves, oldest first, as labels."""
    return history_for(ROUND_WORKFLOW, round)
