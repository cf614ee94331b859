"""Interview tasks (约谈) on the one workflow engine (``stars.interview``): opened by a low streak or a low star rating, held, then checked or closed as overdue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.errors import InvalidTransition, ValidationFailed
from npohub.core.templatetags.npohub import cn_date
from npohub.core.workflows import (
    SYSTEM,
    HistoryRow,
    MoveContext,
    Workflow,
    history_for,
    record_event,
    register,
    run_move,
)
from npohub.core.workflows import Transition as CoreTransition
from npohub.hubs.models import Hub
from npohub.notifications.services import notify
from npohub.orgs.models import Organization
from npohub.orgs.scope import organization_accounts

from ..models import InterviewState, InterviewTask, RemovalFlag
from ..permissions import interview_capacities, interview_refusal
from ..policy import policy_for
from ..workflows import INTERVIEW_KEY, INTERVIEW_OPENED, INTERVIEW_TRANSITIONS, WORKER
from .common import _user_or_none

# --- interviews -------------------------------------------------------------------------------


InterviewContext = MoveContext[InterviewTask]


def _open_interview(
    *,
    actor: User,
    organization: Organization,
    hub: Hub | None,
    reason: str,
    period: dt.date,
    detail: str,
    assignee: Any,
) -> InterviewTask | None:
    """Open the task once per cause (organisation, reason, period); notify the assignee."""
    if InterviewTask.objects.filter(
        organization_id=organization.pk, reason=reason, period=period
    ).exists():
        return None
    policy = policy_for(organization.address_code)
    today = timezone.localdate()
    task = InterviewTask.objects.create(
        organization=organization,
        hub=hub,
        reason=reason,
        detail=detail[:300],
        period=period,
        assignee=assignee,
        due_on=today + dt.timedelta(days=int(policy["interview_due_days"])),
    )
    record_event(
        INTERVIEW_WORKFLOW,
        task,
        move=INTERVIEW_OPENED.name,
        from_state="",
        to_state=task.state,
        actor=actor,
        note=task.detail,
    )
    if assignee is not None:
        notify(
            recipients=[assignee],
            kind="stars.interview",
            title=_("约谈提醒：%(org)s") % {"org": organization.name},
            body=task.detail,
            url=reverse("stars:interview-detail", args=[task.pk]),
        )
    return task


# --- the workflow: guards, effects, bookkeeping, notices ----------------------------------------


def _guard_interview_record_valid(ctx: InterviewContext) -> None:
    """The interview's date (not after today), its outcome, and a rectification deadline after
    it (default: the locality's rectification period)."""
    task = ctx.obj
    held_on: dt.date = ctx.data["held_on"]
    outcome = (ctx.data.get("outcome") or "").strip()
    errors = {}
    if not outcome:
        errors["outcome"] = _("必填")
    if held_on > timezone.localdate():
        errors["held_on"] = _("约谈日期不能晚于今天")
    days = int(policy_for(task.organization.address_code)["rectification_days"])
    due = ctx.data.get("rectification_due") or held_on + dt.timedelta(days=days)
    if due <= held_on:
        errors["rectification_due"] = _("整改期限须晚于约谈日期")
    if errors:
        raise ValidationFailed(
            _("约谈记录未保存：%(errors)s") % {"errors": "；".join(errors.values())},
            details=errors,
        )
    ctx.data.update(outcome=outcome, rectification_due=due)


def _effect_flag_removal(ctx: InterviewContext) -> None:
    """整改不到位的责令退出孵化中心: the organisation is flagged for removal from its base."""
    task = ctx.obj
    if ctx.move.capacity == SYSTEM:
        reason = _("%(detail)s；%(note)s") % {"detail": task.detail, "note": task.resolution_note}
    else:
        reason = _("%(detail)s；约谈后整改不到位：%(note)s") % {
            "detail": task.detail,
            "note": task.resolution_note,
        }
    flag = RemovalFlag.objects.create(
        organization=task.organization,
        hub=task.hub,
        task=task,
        reason=reason,
        flagged_on=ctx.today,
    )
    ctx.payload["removal_flag"] = flag.pk


def _on_move(ctx: InterviewContext) -> None:
    """What each move records on the task, and the audit payload it had before the engine."""
    task = ctx.obj
    if ctx.move.name == "hold":
        held_on: dt.date = ctx.data["held_on"]
        due: dt.date = ctx.data["rectification_due"]
        task.held_on, task.outcome, task.rectification_due = held_on, ctx.data["outcome"], due
        ctx.payload.update(held_on=held_on.isoformat(), rectification_due=due.isoformat())
        return
    task.resolved_on = ctx.today
    if ctx.move.capacity == SYSTEM:
        task.resolution_note = _("逾期未整改（整改期限%(due)s）") % {
            "due": task.rectification_due.isoformat() if task.rectification_due else ""
        }
        ctx.payload.update(rectified=False, removal_flag=None, overdue=True)
    else:
        task.resolution_note = ctx.note
        ctx.payload.update(rectified=ctx.move.target == InterviewState.RECTIFIED, removal_flag=None)


def _notify(ctx: InterviewContext) -> None:
    task = ctx.obj
    if ctx.move.name != "hold":
        return
    assert task.rectification_due is not None
    notify(
        recipients=organization_accounts(task.organization_id),
        kind="stars.interview",
        title=_("约谈整改通知：请于%(due)s前完成整改") % {"due": cn_date(task.rectification_due)},
        body=task.outcome[:500],
        url=reverse("stars:my-scorecards"),
        actor=_user_or_none(ctx.actor),
    )


def _audit_kind(move: CoreTransition) -> str:
    return "stars.interview_held" if move.name == "hold" else "stars.interview_resolved"


INTERVIEW_WORKFLOW: Workflow[InterviewTask] = register(
    Workflow(
        key=INTERVIEW_KEY,
        label=_("约谈任务"),
        model=InterviewTask,
        states=InterviewState,
        moves=INTERVIEW_TRANSITIONS,
        resolver=interview_capacities,
        guards={"interview_record_valid": _guard_interview_record_valid},
        effects={"flag_removal": _effect_flag_removal},
        on_move=_on_move,
        notify=_notify,
        audit_kind=_audit_kind,
        organization_id=lambda task: task.organization_id,
        region_code=lambda task: task.organization.address_code,
        refusals={WORKER: interview_refusal},
        note_message=lambda move: _("请填写整改核查意见"),
        invalid_code="stars.invalid_transition",
        lock_related=("organization__authority_region", "hub"),
    ),
    extra_moves=(INTERVIEW_OPENED,),
)


def interview_record(
    *,
    actor: User,
    task: InterviewTask,
    held_on: dt.date,
    outcome: str,
    rectification_due: dt.date | None = None,
) -> InterviewTask:
    """The interview was held: its outcome and the rectification deadline (default: the
    locality's rectification period after the interview)."""
    return run_move(
        INTERVIEW_WORKFLOW,
        task,
        "hold",
        actor=actor,
        data={"held_on": held_on, "outcome": outcome, "rectification_due": rectification_due},
    )


def interview_resolve(
    *, actor: User, task: InterviewTask, rectified: bool, note: str
) -> InterviewTask:
    """Check the rectification: done closes the task; not done flags the organisation for
    removal from its incubation base (整改不到位的责令退出孵化中心)."""
    move = "confirm_rectified" if rectified else "find_unresolved"
    return run_move(INTERVIEW_WORKFLOW, task, move, actor=actor, note=note)


@transaction.atomic
def rectification_overdue_sweep(*, on: dt.date | None = None) -> int:
    """Rectifications still open after their deadline are unresolved: each task is closed as
    整改不到位 and the organisation flagged for removal from its incubation base (system job)."""
    day = on or timezone.localdate()
    due = InterviewTask.objects.filter(
        state=InterviewState.RECTIFYING, rectification_due__lt=day
    ).order_by("id")
    closed = 0
    for task in due:
        try:
            run_move(INTERVIEW_WORKFLOW, task, "expire", actor=None, today=day)
        except InvalidTransition:  # resolved by hand meanwhile
            continue
        closed += 1
    return closed


def interview_moves_for(actor: User, task: InterviewTask) -> list[CoreTransition]:
    return INTERVIEW_WORKFLOW.moves_for(actor, task)


def interview_history(task: InterviewTask) -> list[HistoryRow]:
    return history_for(INTERVIEW_WORKFLOW, task)
