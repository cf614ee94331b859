"""The annual-report workflow as data, run by the one engine (``core.workflows.run_move``).

A move names the *capacity* that may make it (``organization`` — the organisation's own
account, ``supervisor`` — its business-supervisory unit (业务主管单位), ``bureau`` — the
registering authority) and the *route* it applies to (``dual``: dual-managed organisations go
through the supervisory unit first; ``direct``: directly registered ones file straight with the
bureau; ``any``). A report's table is the moves of its route (``submit`` exists once per route,
with the label saying where the report goes). Submitting runs the ``content_valid`` guard (the
content must pass ``sections.validate``), concluding the ``conclusion_given`` one; a move that
brings the report to the bureau sets ``bureau_received_on`` (the date rule 24 judges) and
resolves a late-report credit fact; a 不合格 conclusion records one.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from npohub.core.errors import ValidationFailed
from npohub.core.workflows import (
    HistoryRow,
    MoveContext,
    Transition,
    Workflow,
    history_for,
    register,
    transition_named,
)

from .content import recompute, report_problems
from .credit_hooks import record_failed, resolve_late_fact
from .models import (
    AT_BUREAU_STATES,
    CONCLUSIONS_NEEDING_REASONS,
    EDITABLE_STATES,
    AnnualReport,
    Conclusion,
    ReportState,
    S,
)
from .notices import notify_move
from .permissions import CAPACITY_REFUSAL, report_capacities

__all__ = [
    "AT_BUREAU_STATES",
    "EDITABLE_STATES",
    "STATE_LABELS",
    "TRANSITIONS",
    "WORKFLOW",
    "ReportMove",
    "ReportState",
    "S",
    "available",
    "history_of",
    "state_label",
    "transition_for",
]

STATE_LABELS: dict[str, Promise] = {str(s.value): s.label for s in ReportState}


class ReportInvalid(ValidationFailed):
    code = "supervision.report_invalid"


@dataclass(frozen=True)
class ReportMove(Transition):
    """A report move; capacities: organization | supervisor | bureau."""

    route: str = "any"  # any | dual | direct
    reaches_bureau: bool = False  # sets ``bureau_received_on`` (the date the deadline judges)


TRANSITIONS: tuple[ReportMove, ...] = (
    ReportMove(
        "submit",
        _l("提交业务主管单位初审"),
        frozenset({S.DRAFT, S.RETURNED}),
        S.SUPERVISOR_REVIEW,
        "organization",
        guards=("content_valid",),
        route="dual",
    ),
    ReportMove(
        "submit",
        _l("提交登记管理机关"),
        frozenset({S.DRAFT, S.RETURNED}),
        S.SUBMITTED,
        "organization",
        guards=("content_valid",),
        effect="reached_bureau",
        route="direct",
        reaches_bureau=True,
    ),
    ReportMove(
        "supervisor_approve",
        _l("初审同意，报送登记管理机关"),
        frozenset({S.SUPERVISOR_REVIEW}),
        S.SUBMITTED,
        "supervisor",
        effect="reached_bureau",
        route="dual",
        reaches_bureau=True,
    ),
    ReportMove(
        "supervisor_return",
        _l("初审退回修改"),
        frozenset({S.SUPERVISOR_REVIEW}),
        S.RETURNED,
        "supervisor",
        needs_note=True,
        route="dual",
    ),
    ReportMove(
        "return",
        _l("退回修改"),
        frozenset({S.SUBMITTED}),
        S.RETURNED,
        "bureau",
        needs_note=True,
    ),
    ReportMove(
        "conclude",
        _l("作出年检结论"),
        frozenset({S.SUBMITTED}),
        S.CONCLUDED,
        "bureau",
        guards=("conclusion_given",),
        effect="concluded",
    ),
    ReportMove(
        "publish",
        _l("公告年检结论"),
        frozenset({S.CONCLUDED}),
        S.PUBLISHED,
        "bureau",
    ),
    # Rule 27: a conclusion may be re-opened when new problems come to light (STNJ25); the
    # bureau states why and decides again.
    ReportMove(
        "reopen",
        _l("重新审查（调整结论）"),
        frozenset({S.CONCLUDED, S.PUBLISHED}),
        S.SUBMITTED,
        "bureau",
        needs_note=True,
    ),
)
TRANSITION_NAMES = tuple(dict.fromkeys(t.name for t in TRANSITIONS))
TABLES: dict[str, tuple[ReportMove, ...]] = {
    route: tuple(t for t in TRANSITIONS if t.route in ("any", route))
    for route in ("dual", "direct")
}
# The return moves and who returned (for the "returned for revision" notice on the report).
RETURN_MOVES = {"supervisor_return": _l("业务主管单位"), "return": _l("登记管理机关")}


def transition_for(name: str, *, route: str) -> ReportMove | None:
    """The transition called ``name`` for a report on ``route`` (``dual`` or ``direct``)."""
    return transition_named(TABLES.get(route, ()), name)


def available(state: str, *, route: str) -> list[ReportMove]:
    return [t for t in TABLES.get(route, ()) if state in t.sources]


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


# ---------------------------------------------------------------------------------------------
# Guards, bookkeeping and effects (named in the table)


def _content_valid(ctx: MoveContext[Any]) -> None:
    report: AnnualReport = ctx.obj
    recompute(report)  # a draft saved before 收入合计 was computed gets it now
    problems = report_problems(report)
    if problems:
        raise ReportInvalid(
            _("年度报告有%(n)s处需要修改：%(first)s")
            % {"n": len(problems), "first": problems[0].message},
            details=[p.as_dict() for p in problems],
        )


def _conclusion_given(ctx: MoveContext[Any]) -> None:
    conclusion = str(ctx.data.get("conclusion") or "")
    if conclusion not in Conclusion.values:
        raise ValidationFailed(
            _("请选择年检结论（合格、基本合格或不合格）"), details={"conclusion": _("必填")}
        )
    if conclusion in CONCLUSIONS_NEEDING_REASONS and not ctx.note:
        raise ValidationFailed(
            _("年检结论为基本合格或不合格时，须写明理由"), details={"note": _("必填")}
        )


def _on_move(ctx: MoveContext[Any]) -> None:
    """Dates and decisions the report keeps per move (the history keeps the rest)."""
    report: AnnualReport = ctx.obj
    name, note, today = ctx.move.name, ctx.note, ctx.today
    if name == "submit":
        report.submitted_on = today
    elif name in ("supervisor_approve", "supervisor_return"):
        report.supervisor_reviewed_on = today
        report.supervisor_opinion = note
    elif name == "conclude":
        report.conclusion = str(ctx.data.get("conclusion") or "")
        report.conclusion_reasons = note
        report.concluded_on = today
    elif name == "publish":
        report.published_on = today
    elif name == "reopen":
        report.conclusion = ""
        report.conclusion_reasons = ""
        report.concluded_on = None
        report.published_on = None
    move = ctx.move
    if isinstance(move, ReportMove) and move.reaches_bureau and report.bureau_received_on is None:
        report.bureau_received_on = today
    ctx.payload["conclusion"] = report.conclusion


def _reached_bureau(ctx: MoveContext[Any]) -> None:
    resolve_late_fact(ctx.actor, ctx.obj)


def _concluded(ctx: MoveContext[Any]) -> None:
    if ctx.obj.conclusion == Conclusion.FAIL:
        record_failed(ctx.actor, ctx.obj, ctx.today)


def _table(report: AnnualReport) -> tuple[ReportMove, ...]:
    return TABLES[report.route]


WORKFLOW: Workflow[AnnualReport] = register(
    Workflow(
        key="supervision.report",
        label=_l("年度报告"),
        model=AnnualReport,
        states=ReportState,
        moves=TRANSITIONS,
        table=_table,
        resolver=report_capacities,
        guards={"content_valid": _content_valid, "conclusion_given": _conclusion_given},
        effects={"reached_bureau": _reached_bureau, "concluded": _concluded},
        on_move=_on_move,
        notify=lambda ctx: notify_move(ctx.obj, ctx.move.name, ctx.actor),
        audit_prefix="supervision.report_",
        organization_id=lambda report: report.organization_id,
        region_code=lambda report: report.address_code,
        refusals=CAPACITY_REFUSAL,
        lock_related=("organization",),
    )
)


def history_of(report: AnnualReport) -> list[HistoryRow]:
    """The report's history in words; ``submit`` named as on the report's own route."""
    table = _table(report)
    rows = history_for(WORKFLOW, report)
    return [
        dataclasses.replace(row, move_label=str(move.label))
        if (move := transition_named(table, row.move)) is not None
        else row
        for row in rows
    ]


def current_return(report: AnnualReport, history: list[HistoryRow]) -> dict[str, Any] | None:
    """Why a returned report came back, and from whom (None unless it is returned now)."""
    if report.state != S.RETURNED:
        return None
    last = next((row for row in reversed(history) if row.move in RETURN_MOVES), None)
    if last is None:
        return None
    return {
        "by": str(RETURN_MOVES[last.move]),
        "reason": last.note,
        "at": last.occurred_at,
        "actor": last.actor_display,
    }
