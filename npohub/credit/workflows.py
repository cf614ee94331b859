"""Objection (异议) and credit repair (信用修复) as data, run by the one engine.

Two workflows on ``CreditRequest`` (one per kind, so each move keeps its own label in the
history): capacities ``applicant`` (the organisation's own account) and ``bureau`` (the bureau
of the organisation's region). Guards: ``listing_open`` (the listing is still in force) and
``repair_conditions`` (rules 33–34); effects: ``remove_listing`` (an upheld objection takes the
organisation off the list today) and ``schedule_removal`` (approved repair: removal after the
policy's working days). A request is created in ``filed`` by ``services.credit_request_file``,
which records the ``file`` move.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from npohub.accounts.models import User
from npohub.core.audit import actor_label_for
from npohub.core.errors import Conflict, InvalidTransition, ValidationFailed
from npohub.core.templatetags.npohub import cn_date
from npohub.core.workflows import (
    Capacities,
    HistoryRow,
    MoveContext,
    Transition,
    Workflow,
    history_for,
    register,
    transition_named,
    transitions_from,
)

from .evaluation import compute_next_action, needs_rectification
from .models import (
    CreditList,
    CreditRequest,
    CreditRule,
    Listing,
    ListingEvent,
    ListingEventKind,
    RequestKind,
    RequestState,
)
from .notices import notify_organization
from .permissions import Viewer, can_decide_request, can_file_request
from .policy import add_working_days, add_years, policy_for

__all__ = [
    "OPEN_STATES",
    "RS",
    "STATE_LABELS",
    "WORKFLOWS",
    "available",
    "history_of",
    "repair_refusal",
    "transition_for",
    "workflow_of",
]

RS = RequestState
STATE_LABELS: dict[str, Promise] = {str(s.value): s.label for s in RequestState}
OPEN_STATES = frozenset({RS.FILED})


# Capacities here: applicant | bureau.
WORKFLOWS: dict[str, tuple[Transition, ...]] = {
    "objection": (
        Transition(
            "uphold",
            _l("异议成立，移出名单"),
            frozenset({RS.FILED}),
            RS.UPHELD,
            "bureau",
            guards=("listing_open",),
            effect="remove_listing",
            needs_note=True,
        ),
        Transition(
            "reject",
            _l("异议不成立"),
            frozenset({RS.FILED}),
            RS.REJECTED,
            "bureau",
            needs_note=True,
        ),
        Transition("withdraw", _l("撤回"), frozenset({RS.FILED}), RS.WITHDRAWN, "applicant"),
    ),
    "repair": (
        Transition(
            "approve",
            _l("核实通过，准予移出"),
            frozenset({RS.FILED}),
            RS.APPROVED,
            "bureau",
            guards=("listing_open", "repair_conditions"),
            effect="schedule_removal",
        ),
        Transition(
            "reject", _l("不予修复"), frozenset({RS.FILED}), RS.REJECTED, "bureau", needs_note=True
        ),
        Transition("withdraw", _l("撤回"), frozenset({RS.FILED}), RS.WITHDRAWN, "applicant"),
    ),
}
# The move ``services.credit_request_file`` records when the request is created (history only).
FILE_MOVES: dict[str, Transition] = {
    "objection": Transition("file", _l("提出异议"), frozenset(), RS.FILED, "applicant"),
    "repair": Transition("file", _l("申请信用修复"), frozenset(), RS.FILED, "applicant"),
}


def transition_for(kind: str, name: str) -> Transition | None:
    return transition_named(WORKFLOWS.get(kind, ()), name)


def available(kind: str, state: str) -> list[Transition]:
    return transitions_from(WORKFLOWS.get(kind, ()), state)


# ---------------------------------------------------------------------------------------------
# Rules 33–34, guards, effects


def repair_refusal(listing: Listing, on: dt.date) -> str | None:
    """Rules 33–34: what still stands in the way of removing the listing on ``on``."""
    policy = policy_for(listing.organization.address_code)
    facts = list(listing.facts.all())
    if listing.credit_list == CreditList.SERIOUS:
        kinds = set(policy["removal_on_deregistration_kinds"])
        if kinds & set(listing.rule.fact_kinds or []):
            return _("因撤销登记或吊销证书列入的，办理注销登记后方可移出")
        earliest = add_years(listing.clock_started_on, policy["serious_clean_years"])
        if on < earliest:
            return _(
                "列入严重违法失信名单满%(years)s年且期间未再发生列入情形后方可申请移出（最早%(date)s）"
            ) % {"years": policy["serious_clean_years"], "date": cn_date(earliest)}
        if listing.escalated_from_id is None:
            return None
    open_items = [f for f in facts if needs_rectification(f, policy) and f.resolved_on is None]
    if open_items:
        return _("尚有未履行义务或未完成整改的事项：%(items)s") % {
            "items": "、".join(sorted({f.get_kind_display() for f in open_items}))
        }
    return None


def _listing_open(ctx: MoveContext[Any]) -> None:
    listing = ctx.obj.listing
    if listing is None or listing.removed_on is not None:
        raise Conflict(_("该名单记录已移出"), code="credit.listing_removed")


def _repair_conditions(ctx: MoveContext[Any]) -> None:
    listing = ctx.obj.listing
    if listing is None:
        return
    refusal = repair_refusal(listing, ctx.today)
    if refusal:
        raise ValidationFailed(
            refusal, code="credit.repair_not_allowed", details={"listing": refusal}
        )


def _listing_event(listing: Listing, kind: str, on: dt.date, note: str, actor: User | None) -> None:
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    ListingEvent.objects.create(
        listing=listing,
        kind=kind,
        on=on,
        note=note[:500],
        actor=user,
        actor_label=actor_label_for(actor) if user else "系统",
    )


def _remove_listing(ctx: MoveContext[Any]) -> None:
    note = ctx.note or str(ctx.move.label)
    listing = Listing.objects.select_for_update().get(pk=ctx.obj.listing_id or 0)
    _listing_event(listing, ListingEventKind.OBJECTION_UPHELD, ctx.today, note, ctx.actor)
    listing.removed_on = max(ctx.today, listing.listed_on)
    listing.removal_reason = (_("异议成立：%(note)s") % {"note": note})[:500]
    listing.next_action_on = None
    listing.save(update_fields=["removed_on", "removal_reason", "next_action_on"])
    _listing_event(
        listing, ListingEventKind.REMOVED, listing.removed_on, listing.removal_reason, ctx.actor
    )


def _schedule_removal(ctx: MoveContext[Any]) -> None:
    listing = Listing.objects.select_for_update().get(pk=ctx.obj.listing_id or 0)
    policy = policy_for(listing.organization.address_code)
    listing.removal_due_on = add_working_days(
        ctx.today, policy["abnormal_removal_working_days"], policy
    )
    rules = list(CreditRule.objects.filter(is_active=True))
    listing.next_action_on = compute_next_action(listing, list(listing.facts.all()), rules, policy)
    listing.save(update_fields=["removal_due_on", "next_action_on"])
    _listing_event(
        listing,
        ListingEventKind.REMOVAL_SCHEDULED,
        ctx.today,
        _("核实通过，定于%(date)s移出") % {"date": cn_date(listing.removal_due_on)},
        ctx.actor,
    )


def _on_move(ctx: MoveContext[Any]) -> None:
    """A bureau's decision is kept on the request (who, when, why)."""
    if ctx.move.capacity == "bureau":
        ctx.obj.decided_by = ctx.actor
        ctx.obj.decided_on = ctx.today
        ctx.obj.decision_note = ctx.note


def _notify(ctx: MoveContext[Any]) -> None:
    if ctx.move.capacity != "bureau":
        return
    request: CreditRequest = ctx.obj
    notify_organization(
        request.organization,
        kind="credit.request_decided",
        title=_("您的%(kind)s申请：%(state)s")
        % {"kind": request.get_kind_display(), "state": STATE_LABELS[ctx.move.target]},
        body=ctx.note,
        actor=ctx.actor,
    )


def request_capacities(actor: Viewer, request: CreditRequest) -> Capacities:
    """The workflows' resolver: ``applicant`` for the organisation's account, ``bureau`` for
    the bureau of its region (both from ``permissions.py``)."""
    org = request.organization
    held = set()
    if can_file_request(actor, org):
        held.add("applicant")
    if can_decide_request(actor, org):
        held.add("bureau")
    return Capacities(held=frozenset(held))


def _workflow(kind: str, label: Promise) -> Workflow[CreditRequest]:
    return register(
        Workflow(
            key=f"credit.{kind}",
            label=label,
            model=CreditRequest,
            states=RequestState,
            moves=WORKFLOWS[kind],
            resolver=request_capacities,
            guards={"listing_open": _listing_open, "repair_conditions": _repair_conditions},
            effects={"remove_listing": _remove_listing, "schedule_removal": _schedule_removal},
            on_move=_on_move,
            notify=_notify,
            audit_prefix=f"credit.{kind}_",
            organization_id=lambda request: request.organization_id,
            region_code=lambda request: request.organization.address_code,
            refusals={
                "bureau": lambda: _("只有该组织所属辖区的民政部门可以处理异议和信用修复申请"),
                "applicant": lambda: _("只有本组织账号可以提出异议或申请信用修复"),
            },
            note_message=lambda move: _("请填写处理理由"),
            lock_related=(
                "organization__authority_region",
                "listing__rule",
                "listing__organization",
            ),
        ),
        extra_moves=(FILE_MOVES[kind],),
    )


OBJECTION_WORKFLOW = _workflow(RequestKind.OBJECTION, _l("异议"))
REPAIR_WORKFLOW = _workflow(RequestKind.REPAIR, _l("信用修复申请"))
BY_KIND: dict[str, Workflow[CreditRequest]] = {
    RequestKind.OBJECTION: OBJECTION_WORKFLOW,
    RequestKind.REPAIR: REPAIR_WORKFLOW,
}


def workflow_of(request: CreditRequest) -> Workflow[CreditRequest]:
    """The workflow a request follows (by its kind)."""
    workflow = BY_KIND.get(request.kind)
    if workflow is None:
        raise InvalidTransition(
            _("未知的申请类型“%(kind)s”") % {"kind": request.kind},
            details={"kind": request.kind},
        )
    return workflow


def history_of(request: CreditRequest) -> list[HistoryRow]:
    """The request's history in words, oldest first."""
    return history_for(workflow_of(request), request)
