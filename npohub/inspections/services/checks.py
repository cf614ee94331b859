"""Inspection records: the check's moves on the one workflow engine (``inspections.check``), findings and rectification orders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from npohub.core.permissions import require
from npohub.core.templatetags.npohub import cn_date
from npohub.core.workflows import HistoryRow, MoveContext, Workflow, history_for, register, run_move
from npohub.notifications.services import notify
from npohub.orgs.scope import organization_accounts

from ..models import CheckStatus, Conclusion, Finding, FindingType, RectificationOrder, SpotCheck
from ..permissions import (
    can_report_rectification,
    can_verify_rectification,
    can_work_on_check,
    check_capacities,
    check_refusal,
    plan_not_working,
)
from ..workflows import CHECK_KEY, CHECK_MOVES, INSPECTOR, WORKING_STATES
from .common import _actor_user

# ---------------------------------------------------------------------------------------------
# Inspection records


def _lock_check(check: SpotCheck) -> SpotCheck:
    return (
        SpotCheck.objects.select_for_update(of=("self",))
        .select_related("plan__authority_region", "organization")
        .get(pk=check.pk)
    )


def _audit_check(
    actor: User, kind: str, check: SpotCheck, payload: dict[str, Any], target: Any = None
) -> None:
    audit_record(
        actor=actor,
        kind=f"inspections.{kind}",
        target=target if target is not None else check,
        payload={"check": check.pk, **payload},
        organization_id=check.organization_id,
        region_code=check.organization.address_code,
    )


CheckContext = MoveContext[SpotCheck]


def _guard_plan_working(ctx: CheckContext) -> None:
    if ctx.obj.plan.state not in WORKING_STATES:
        raise PermissionDenied(plan_not_working())


def _guard_notice_valid(ctx: CheckContext) -> None:
    if not ctx.note:
        raise ValidationFailed(_("请填写检查告知内容"), details={"scope_notice": _("必填")})
    scheduled_on = ctx.data.get("scheduled_on")
    if scheduled_on is not None and scheduled_on < ctx.today:
        raise ValidationFailed(
            _("计划检查日期不能早于告知日期"), details={"scheduled_on": _("无效")}
        )


def _guard_notice_served(ctx: CheckContext) -> None:
    if ctx.from_state == CheckStatus.DRAWN:
        raise InvalidTransition(
            _("请先向组织送达检查告知，再作出检查结论"), code="inspections.not_notified"
        )


def _guard_conclusion_valid(ctx: CheckContext) -> None:
    check, conclusion = ctx.obj, ctx.data.get("conclusion")
    checked_on = ctx.data.get("checked_on")
    if conclusion not in Conclusion.values:
        raise ValidationFailed(_("请选择检查结论"), details={"conclusion": _("无效")})
    if (
        checked_on is None
        or checked_on > ctx.today
        or (check.notified_on and checked_on < check.notified_on)
    ):
        raise ValidationFailed(
            _("检查日期应在告知日期之后、不晚于今天"), details={"checked_on": _("无效")}
        )
    findings = list(check.findings.all())
    if conclusion in (Conclusion.RECTIFY, Conclusion.REFERRED) and not findings:
        raise ValidationFailed(
            _("结论为“%(c)s”时须先记录检查发现") % {"c": Conclusion(conclusion).label},
            details={"conclusion": _("无效")},
        )
    if conclusion == Conclusion.RECTIFY and not check.orders.exists():
        raise ValidationFailed(
            _("结论为“责令整改”时须先下达整改通知"), details={"conclusion": _("无效")}
        )
    ctx.data["findings"] = findings


def _on_move(ctx: CheckContext) -> None:
    """What each move records on the check, and the audit payload it had before the engine."""
    check = ctx.obj
    ctx.payload["check"] = check.pk
    if ctx.move.name == "notify":
        scheduled_on = ctx.data.get("scheduled_on")
        check.scope_notice = ctx.note
        check.scheduled_on = scheduled_on
        check.notified_on = ctx.today
        ctx.payload["scheduled_on"] = str(scheduled_on or "")
    else:
        check.checked_on = ctx.data["checked_on"]
        check.conclusion = ctx.data["conclusion"]
        check.conclusion_note = ctx.note
        check.concluded_on = ctx.today
        ctx.payload.update(conclusion=check.conclusion, findings=len(ctx.data["findings"]))


def _notify(ctx: CheckContext) -> None:
    check = ctx.obj
    url = reverse("portal:inspection-plan", args=[check.plan_id])
    if ctx.move.name == "notify":
        notify(
            recipients=organization_accounts(check.organization_id),
            kind="inspections.notice",
            title=_("检查告知：%(plan)s") % {"plan": check.plan.title},
            body=check.scope_notice,
            url=url,
            actor=_actor_user(ctx.actor),
        )
        return
    findings: list[Finding] = ctx.data["findings"]
    conclusion = Conclusion(check.conclusion)
    summary = "；".join(f"{f.get_type_display()}：{f.description}" for f in findings)
    notify(
        recipients=organization_accounts(check.organization_id),
        kind="inspections.findings",
        title=_("抽查结论：%(c)s") % {"c": conclusion.label},
        body=summary or str(conclusion.label),
        url=url,
        actor=_actor_user(ctx.actor),
    )


CHECK_AUDIT_KINDS = {
    "notify": "inspections.check_notified",
    "conclude": "inspections.check_concluded",
}

CHECK_WORKFLOW: Workflow[SpotCheck] = register(
    Workflow(
        key=CHECK_KEY,
        label=_("抽查对象"),
        model=SpotCheck,
        states=CheckStatus,
        moves=CHECK_MOVES,
        state_field="status",
        resolver=check_capacities,
        guards={
            "plan_working": _guard_plan_working,
            "notice_valid": _guard_notice_valid,
            "notice_served": _guard_notice_served,
            "conclusion_valid": _guard_conclusion_valid,
        },
        on_move=_on_move,
        notify=_notify,
        audit_kind=lambda move: CHECK_AUDIT_KINDS[move.name],
        organization_id=lambda check: check.organization_id,
        region_code=lambda check: check.organization.address_code,
        refusals={INSPECTOR: check_refusal},
        lock_related=("plan__authority_region", "organization"),
    )
)


def check_notify(
    *,
    actor: User,
    check: SpotCheck,
    scope_notice: str,
    scheduled_on: dt.date | None = None,
    today: dt.date | None = None,
) -> SpotCheck:
    """Tell the organisation the scope of the check beforehand (CC45); again to change it."""
    return run_move(
        CHECK_WORKFLOW,
        check,
        "notify",
        actor=actor,
        note=scope_notice,
        today=today,
        data={"scheduled_on": scheduled_on},
    )


def check_history(check: SpotCheck) -> list[HistoryRow]:
    return history_for(CHECK_WORKFLOW, check)


@transaction.atomic
def finding_add(
    *, actor: User, check: SpotCheck, type: str, description: str, legal_basis: str = ""
) -> Finding:
    """Record a problem found in the check (before its conclusion)."""
    check = _lock_check(check)
    require(can_work_on_check(actor, check))
    if check.status == CheckStatus.CONCLUDED:
        raise InvalidTransition(_("检查结论已作出，不能再添加检查发现"))
    if type not in FindingType.values:
        raise ValidationFailed(_("请选择问题类型"), details={"type": _("无效")})
    text = (description or "").strip()
    if not text:
        raise ValidationFailed(_("请填写问题描述"), details={"description": _("必填")})
    finding = Finding.objects.create(
        spot_check=check,
        type=type,
        description=text,
        legal_basis=(legal_basis or "").strip(),
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    _audit_check(actor, "finding_added", check, {"type": type}, target=finding)
    return finding


def check_conclude(
    *,
    actor: User,
    check: SpotCheck,
    checked_on: dt.date,
    conclusion: str,
    note: str = "",
    today: dt.date | None = None,
) -> SpotCheck:
    """Conclude the check; the organisation is told the findings (rule 38)."""
    return run_move(
        CHECK_WORKFLOW,
        check,
        "conclude",
        actor=actor,
        note=note,
        today=today,
        data={"checked_on": checked_on, "conclusion": conclusion},
    )


@transaction.atomic
def rectification_order_issue(
    *,
    actor: User,
    check: SpotCheck,
    requirement: str,
    deadline: dt.date,
    finding: Finding | None = None,
    today: dt.date | None = None,
) -> RectificationOrder:
    """Order the organisation to rectify by a deadline (overdue → credit fact, rule 29)."""
    check = _lock_check(check)
    require(can_work_on_check(actor, check))
    today = today or timezone.localdate()
    text = (requirement or "").strip()
    if not text:
        raise ValidationFailed(_("请填写整改要求"), details={"requirement": _("必填")})
    if deadline is None or deadline <= today:
        raise ValidationFailed(_("整改期限应晚于下达日期"), details={"deadline": _("无效")})
    if finding is not None and finding.spot_check_id != check.pk:
        raise ValidationFailed(_("该检查发现不属于此检查对象"), details={"finding_id": _("无效")})
    order = RectificationOrder.objects.create(
        spot_check=check,
        finding=finding,
        requirement=text,
        issued_on=today,
        deadline=deadline,
        issued_by=actor,
    )
    _audit_check(actor, "rectification_ordered", check, {"deadline": str(deadline)}, target=order)
    notify(
        recipients=organization_accounts(check.organization_id),
        kind="inspections.rectification",
        title=_("整改通知：请于%(d)s前完成整改") % {"d": cn_date(deadline)},
        body=text,
        url=reverse("portal:inspection-plan", args=[check.plan_id]),
        actor=_actor_user(actor),
    )
    return order


def _lock_order(order: RectificationOrder) -> RectificationOrder:
    return (
        RectificationOrder.objects.select_for_update(of=("self",))
        .select_related("spot_check__plan__authority_region", "spot_check__organization")
        .get(pk=order.pk)
    )


@transaction.atomic
def rectification_report(
    *,
    actor: User,
    order: RectificationOrder,
    rectified_on: dt.date,
    note: str = "",
    today: dt.date | None = None,
) -> RectificationOrder:
    """The organisation (or the inspector for it) reports the rectification done."""
    order = _lock_order(order)
    require(can_report_rectification(actor, order))
    today = today or timezone.localdate()
    if order.verified_on is not None:
        raise InvalidTransition(_("整改已核查，不能再修改"))
    if rectified_on is None or rectified_on > today or rectified_on < order.issued_on:
        raise ValidationFailed(
            _("整改完成日期应在下达日期之后、不晚于今天"), details={"rectified_on": _("无效")}
        )
    order.rectified_on = rectified_on
    order.rectification_note = (note or "").strip()
    order.save(update_fields=["rectified_on", "rectification_note"])
    _audit_check(
        actor,
        "rectification_reported",
        order.spot_check,
        {"rectified_on": str(rectified_on)},
        target=order,
    )
    return order


@transaction.atomic
def rectification_verify(
    *, actor: User, order: RectificationOrder, verified_on: dt.date | None = None
) -> RectificationOrder:
    """Verify the rectification; a credit fact recorded for it being overdue is resolved."""
    order = _lock_order(order)
    require(can_verify_rectification(actor, order))
    verified_on = verified_on or timezone.localdate()
    if order.verified_on is not None:
        raise InvalidTransition(_("整改已核查"))
    if order.rectified_on is None:
        raise InvalidTransition(
            _("组织尚未报告整改情况，不能核查"), code="inspections.not_rectified"
        )
    if verified_on < order.rectified_on:
        raise ValidationFailed(
            _("核查日期不能早于整改完成日期"), details={"verified_on": _("无效")}
        )
    order.verified_on = verified_on
    order.verified_by = actor
    order.save(update_fields=["verified_on", "verified_by"])
    _audit_check(actor, "rectification_verified", order.spot_check, {}, target=order)
    from .. import credit_hooks

    credit_hooks.resolve_overdue(order=order, actor=actor, on=verified_on)
    return order
