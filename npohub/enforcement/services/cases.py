"""Penalty cases (行政处罚): opening, the proposed penalties and their legal limits, the case
workflow with its effects on the registry and credit, payment and the end of a suspension.

Every state change is a move of ``CASE_WORKFLOW`` made by the one workflow engine
(``npohub.core.workflows.run_move``): the table is ``workflows.CASE_TRANSITIONS``, the capacity
comes from ``permissions.case_capacities``, the guards and effects are below. A decision's
effects on the registry (status, certificate) and on credit (facts, barred persons) happen in
the same transaction. The history is ``core.WorkflowEvent`` under ``enforcement.case``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import Conflict, InvalidTransition, ValidationFailed
from npohub.core.permissions import Decision, require
from npohub.core.templatetags.npohub import cn_date
from npohub.core.workflows import MoveContext, Workflow, record_event, register, run_move
from npohub.notifications.services import notify
from npohub.orgs import services as org_services
from npohub.orgs.models import Organization, Status
from npohub.orgs.scope import organization_accounts
from npohub.registration import services as registration_services

from ..models import Complaint, PenaltyCase, Sanction
from ..permissions import Viewer, acting, can_manage_case, case_capacities, refusal_by
from ..policy import policy_for
from ..workflows import (
    CASE_EDITABLE,
    CASE_KEY,
    CASE_OPEN_MOVE,
    CASE_TRANSITIONS,
    FINE_BASES,
    LEGAL_BASES,
    PENALTY_TYPES,
    PS,
    CaseState,
    basis_key,
    case_state_label,
)
from .common import _user
from .complaints import complaint_link_case


def _next_case_number(today: dt.date) -> str:
    prefix = f"CF{today:%Y}"
    last = PenaltyCase.objects.filter(number__startswith=prefix).aggregate(m=Max("number")).get("m")
    serial = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{serial:05d}"


def _create_case(
    *,
    actor: User | None,
    organization: Organization,
    title: str,
    facts: str,
    state: str,
    source: str,
    source_ref: str,
    today: dt.date,
) -> PenaltyCase:
    if organization.is_closed:
        raise ValidationFailed(
            _("该组织已注销或撤销，不能立案"), details={"organization": _("已注销或撤销")}
        )
    if not organization.is_registered:
        raise ValidationFailed(
            _("备案的社区社会组织不是行政处罚的当事人"), details={"organization": _("无效")}
        )
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_("请填写案由"), details={"title": _("必填")})
    case = PenaltyCase(
        state=state,
        organization=organization,
        title=title[:200],
        facts=(facts or "").strip(),
        basis_key=basis_key(organization.kind, organization.is_charity),
        source=source,
        source_ref=source_ref,
        opened_by=_user(actor),
        filed_on=today if state == PS.FILED else None,
    )
    for _attempt in range(5):
        case.number = _next_case_number(today)
        try:
            with transaction.atomic():
                case.save()
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover - five concurrent collisions
        raise Conflict(_("案件编号冲突，请重试"))
    record_event(
        CASE_WORKFLOW, case, move=CASE_OPEN_MOVE.name, from_state="", to_state=state, actor=actor
    )
    audit_record(
        actor=actor,
        kind="enforcement.case_opened",
        target=case,
        payload={"number": case.number, "state": state, "source": source, "ref": source_ref},
        organization_id=organization.pk,
        region_code=organization.address_code,
    )
    return case


@transaction.atomic
def case_open(
    *,
    actor: User,
    organization: Organization,
    title: str,
    facts: str = "",
    complaint: Complaint | None = None,
    today: dt.date | None = None,
) -> PenaltyCase:
    """Open (立案) a penalty case against an organisation, optionally from a complaint."""
    require(can_manage_case(actor, organization))
    today = today or timezone.localdate()
    case = _create_case(
        actor=actor,
        organization=organization,
        title=title,
        facts=facts,
        state=PS.FILED,
        source="complaint" if complaint is not None else "staff",
        source_ref=complaint.number if complaint is not None else "",
        today=today,
    )
    if complaint is not None:
        complaint_link_case(actor=actor, complaint=complaint, case=case)
    return case


def _money(value: Decimal | str | int | None, field_name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("金额格式错误"), details={field_name: _("无效")}) from None
    if amount <= 0:
        raise ValidationFailed(_("金额必须大于零"), details={field_name: _("无效")})
    return amount.quantize(Decimal("0.01"))


def _yuan(value: Decimal) -> str:
    return f"{value:,.2f}"


def check_fine(
    *,
    basis: str,
    kind: str,
    amount: Decimal | None,
    fine_basis: str,
    basis_amount: Decimal | None,
    policy: dict[str, Any],
) -> None:
    """Rule 44: 社团/民非 fines are 1–3× the illegal turnover or 3–5× the illegal gains; a
    charity's responsible persons are fined within the 慈善法's range."""
    if kind == "person_fine":
        low, high = policy["charity_person_fine_range"]
        if amount is None or not low <= amount <= high:
            raise ValidationFailed(
                _("对直接负责的主管人员的罚款应在 %(low)s 元至 %(high)s 元之间")
                % {"low": _yuan(low), "high": _yuan(high)},
                details={"amount": _("超出法定幅度")},
            )
        return
    if kind != "fine":
        return
    if not LEGAL_BASES[basis].fine_multiples:
        raise ValidationFailed(
            _("%(basis)s未规定对该组织处以罚款") % {"basis": LEGAL_BASES[basis].label},
            details={"kind": _("无效")},
        )
    if fine_basis not in FINE_BASES:
        raise ValidationFailed(
            _("请选择罚款的计算基数：违法经营额或违法所得"), details={"fine_basis": _("必填")}
        )
    if basis_amount is None:
        raise ValidationFailed(
            _("请填写%(base)s的金额") % {"base": FINE_BASES[fine_basis]},
            details={"basis_amount": _("必填")},
        )
    low_x, high_x = policy[f"fine_{fine_basis}_multiples"]
    low, high = basis_amount * low_x, basis_amount * high_x
    if amount is None or not low <= amount <= high:
        raise ValidationFailed(
            _(
                "罚款金额超出法定幅度：应为%(base)s（%(basis_amount)s 元）的 %(low_x)s 至 %(high_x)s 倍，"
                "即 %(low)s 元至 %(high)s 元"
            )
            % {
                "base": FINE_BASES[fine_basis],
                "basis_amount": _yuan(basis_amount),
                "low_x": f"{low_x:g}",
                "high_x": f"{high_x:g}",
                "low": _yuan(low),
                "high": _yuan(high),
            },
            details={"amount": _("超出法定幅度")},
        )


def _lock_case(case: PenaltyCase) -> PenaltyCase:
    return (
        PenaltyCase.objects.select_for_update(of=("self",))
        .select_related("organization", "organization__authority_region")
        .get(pk=case.pk)
    )


def _require_editable(case: PenaltyCase) -> None:
    if case.state not in CASE_EDITABLE:
        raise InvalidTransition(
            _("案件处于“%(state)s”状态，不能修改处罚内容")
            % {"state": case_state_label(case.state)},
            details={"state": case.state},
        )


@transaction.atomic
def sanction_add(
    *,
    actor: User,
    case: PenaltyCase,
    kind: str,
    amount: Decimal | str | None = None,
    fine_basis: str = "",
    basis_amount: Decimal | str | None = None,
    suspend_until: dt.date | None = None,
    person_name: str = "",
    person_id_number: str = "",
    note: str = "",
    today: dt.date | None = None,
) -> Sanction:
    """Propose one penalty of a case: a type its legal basis allows, within the legal limits."""
    case = _lock_case(case)
    require(can_manage_case(actor, case.organization))
    _require_editable(case)
    penalty = PENALTY_TYPES.get(kind)
    basis = LEGAL_BASES[case.basis_key]
    if penalty is None:
        raise ValidationFailed(
            _("未知的处罚种类“%(kind)s”") % {"kind": kind}, details={"kind": _("无效")}
        )
    if kind not in basis.kinds:
        raise ValidationFailed(
            _("%(basis)s未规定“%(kind)s”这一处罚") % {"basis": basis.label, "kind": penalty.label},
            details={"kind": _("无效")},
        )
    today = today or timezone.localdate()
    value = _money(amount, "amount")
    base_value = _money(basis_amount, "basis_amount")
    if penalty.needs_amount and value is None and kind != "fine":
        raise ValidationFailed(_("请填写金额"), details={"amount": _("必填")})
    check_fine(
        basis=case.basis_key,
        kind=kind,
        amount=value,
        fine_basis=fine_basis if kind == "fine" else "",
        basis_amount=base_value,
        policy=policy_for(case.organization.address_code),
    )
    if penalty.needs_until and (suspend_until is None or suspend_until <= today):
        raise ValidationFailed(
            _("请填写停止活动的截止日期（须晚于今天）"), details={"suspend_until": _("无效")}
        )
    person_name = (person_name or "").strip()
    person_id_number = (person_id_number or "").strip().upper()
    if penalty.needs_person and (not person_name or len(person_id_number) != 18):
        raise ValidationFailed(
            _("请填写被限制人员的姓名和 18 位身份证号"), details={"person_id_number": _("无效")}
        )
    if kind in {s.kind for s in case.sanctions.all()} and kind != "bar_person":
        raise ValidationFailed(
            _("本案已拟定“%(kind)s”") % {"kind": penalty.label}, details={"kind": _("已存在")}
        )
    sanction = Sanction.objects.create(
        case=case,
        kind=kind,
        legal_basis=str(basis.label),
        amount=value if penalty.needs_amount else None,
        fine_basis=fine_basis if kind == "fine" else "",
        basis_amount=base_value if kind == "fine" else None,
        suspend_until=suspend_until if penalty.needs_until else None,
        person_name=person_name if penalty.needs_person else "",
        person_id_number=person_id_number if penalty.needs_person else "",
        note=(note or "").strip(),  # over 200 characters: refused naming the field
    )
    audit_record(
        actor=actor,
        kind="enforcement.sanction_proposed",
        target=case,
        payload={"sanction": sanction.pk, "kind": kind, "amount": str(value or "")},
        organization_id=case.organization_id,
        region_code=case.organization.address_code,
    )
    return sanction


@transaction.atomic
def sanction_remove(*, actor: User, sanction: Sanction) -> None:
    """Withdraw a proposed penalty while the case is still being prepared."""
    case = _lock_case(sanction.case)
    require(can_manage_case(actor, case.organization))
    _require_editable(case)
    payload = {"sanction": sanction.pk, "kind": sanction.kind}
    sanction.delete()
    audit_record(
        actor=actor,
        kind="enforcement.sanction_withdrawn",
        target=case,
        payload=payload,
        organization_id=case.organization_id,
        region_code=case.organization.address_code,
    )


# --- the penalty-case workflow on the one engine ------------------------------------------------

Context = MoveContext[PenaltyCase]


def _policy(ctx: Context) -> dict[str, Any]:
    return policy_for(ctx.obj.organization.address_code)


def _guard_has_sanctions(ctx: Context) -> None:
    if not ctx.obj.sanctions.exists():
        raise ValidationFailed(_("请先拟定处罚内容"), details={"sanctions": _("必填")})


def _guard_sanction_limits(ctx: Context) -> None:
    for s in ctx.obj.sanctions.all():
        check_fine(
            basis=ctx.obj.basis_key,
            kind=s.kind,
            amount=s.amount,
            fine_basis=s.fine_basis,
            basis_amount=s.basis_amount,
            policy=_policy(ctx),
        )


def _guard_within_statement_period(ctx: Context) -> None:
    due = ctx.obj.statement_due_on
    if due is not None and ctx.today > due:
        raise ValidationFailed(
            _("陈述申辩期限（%(due)s）已过") % {"due": cn_date(due)},
            details={"statement_due_on": due.isoformat()},
        )


def _guard_statement_period_over(ctx: Context) -> None:
    due = ctx.obj.statement_due_on
    if ctx.obj.state == PS.NOTIFIED and due is not None and ctx.today <= due:
        raise ValidationFailed(
            _("陈述申辩期限（至 %(due)s）未满，不能作出处罚决定") % {"due": cn_date(due)},
            details={"statement_due_on": due.isoformat()},
        )


def _guard_fines_paid(ctx: Context) -> None:
    if ctx.obj.fine_total() and ctx.obj.paid_on is None:
        raise ValidationFailed(_("罚款尚未缴纳，不能结案"), details={"paid_on": _("必填")})


CASE_GUARDS: dict[str, Callable[[Context], None]] = {
    "has_sanctions": _guard_has_sanctions,
    "sanction_limits": _guard_sanction_limits,
    "within_statement_period": _guard_within_statement_period,
    "statement_period_over": _guard_statement_period_over,
    "fines_paid": _guard_fines_paid,
}


def _effect_start_statement_period(ctx: Context) -> None:
    ctx.obj.notified_on = ctx.today
    ctx.obj.statement_due_on = ctx.today + dt.timedelta(days=int(_policy(ctx)["statement_days"]))


def _credit_fact(
    ctx: Context, sanction: Sanction, kind: str, amount: Decimal | None = None
) -> None:
    from npohub.credit.services import credit_fact_record

    case = ctx.obj
    credit_fact_record(
        actor=ctx.actor,
        organization=case.organization,
        kind=kind,
        arose_on=ctx.today,
        source="enforcement",
        source_ref=f"enforcement:{case.number}:{sanction.pk}",
        summary=_("%(number)s %(title)s：%(penalty)s")
        % {
            "number": case.decision_number or case.number,
            "title": case.title,
            "penalty": PENALTY_TYPES[sanction.kind].label,
        },
        legal_basis=sanction.legal_basis,
        amount=amount,
        evidence={"case": case.number, "decision_number": case.decision_number},
        entered_on=ctx.today,
    )


def _set_status(ctx: Context, status: str, reason: str) -> None:
    org = ctx.obj.organization
    org_services.organization_change_status(
        actor=ctx.actor,
        org=org,
        status=status,
        reason=reason,
        effective_on=ctx.today,
        workflow=True,
    )
    org.refresh_from_db()


def _apply_sanction(ctx: Context, s: Sanction) -> None:
    case = ctx.obj
    org = case.organization
    reason = _("行政处罚决定 %(number)s") % {"number": case.decision_number}
    penalty = PENALTY_TYPES[s.kind]
    if s.kind == "suspension":
        if org.status != Status.SUSPENDED:
            _set_status(ctx, Status.SUSPENDED, reason)
        registration_services.certificate_seal(
            actor=ctx.actor, organization=org, on=ctx.today, reason=reason
        )
    elif s.kind in ("revocation", "certificate_revocation"):
        _set_status(ctx, Status.REVOKED, reason)
        registration_services.certificate_void(org=org, today=ctx.today, reason=str(penalty.label))
    elif s.kind == "bar_person":
        from npohub.credit.services import barred_person_add

        years = int(_policy(ctx)["bar_person_years"])
        barred_person_add(
            actor=ctx.actor,
            id_number=s.person_id_number,
            name=s.person_name,
            reason=f"{case.title}（{case.decision_number}）",
            legal_basis=s.legal_basis,
            barred_from=ctx.today,
            barred_until=_years_after(ctx.today, years),
            source_ref=f"enforcement:{case.number}:{s.pk}",
        )
    if penalty.credit_kind:
        _credit_fact(ctx, s, penalty.credit_kind, s.amount if s.kind == "fine" else None)


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _effect_apply_decision(ctx: Context) -> None:
    case = ctx.obj
    if case.organization.is_closed:
        raise ValidationFailed(
            _("该组织已注销或撤销，不能作出处罚决定"), details={"organization": _("已注销或撤销")}
        )
    case.decided_on = ctx.today
    case.decision_number = str(ctx.data.get("decision_number", "")).strip() or _("%(number)s号") % {
        "number": case.number
    }
    case.decision_note = ctx.note
    case.service_due_on = ctx.today + dt.timedelta(days=int(_policy(ctx)["service_days"]))
    for s in case.sanctions.all():
        _apply_sanction(ctx, s)
    ctx.payload["sanctions"] = [s.kind for s in case.sanctions.all()]


def _effect_serve(ctx: Context) -> None:
    case = ctx.obj
    case.served_on = ctx.today
    if case.fine_total():
        case.payment_due_on = ctx.today + dt.timedelta(days=int(_policy(ctx)["payment_days"]))
    if case.service_due_on and ctx.today > case.service_due_on:
        ctx.payload["served_late"] = True


def _effect_close(ctx: Context) -> None:
    ctx.obj.closed_on = ctx.today


CASE_EFFECTS: dict[str, Callable[[Context], None]] = {
    "start_statement_period": _effect_start_statement_period,
    "apply_decision": _effect_apply_decision,
    "serve": _effect_serve,
    "close": _effect_close,
}


def _on_move(ctx: Context) -> None:
    """Filing dates the case; a case dropped (not filed, no penalty, withdrawn) is closed that day
    with the reason as its decision note."""
    case = ctx.obj
    if ctx.move.name == "file":
        case.filed_on = ctx.today
    if ctx.move.target == PS.DROPPED:
        case.closed_on = ctx.today
        case.decision_note = ctx.note


def _notify_case(ctx: Context) -> None:
    """The organisation hears of the prior notice, the decision, its service and the closing."""
    case, move, actor = ctx.obj, ctx.move, ctx.actor
    if move.name not in ("notify", "decide", "serve", "close", "no_penalty"):
        return
    notify(
        recipients=organization_accounts(case.organization_id),
        kind="enforcement.case_decision",
        title=_("%(name)s：行政处罚案件 %(number)s %(state)s")
        % {
            "name": case.organization.name,
            "number": case.number,
            "state": case_state_label(case.state),
        },
        body=str(move.label),
        url=reverse("enforcement:case-detail", args=[case.pk]),
        actor=_user(actor),
    )


def _manages(user: Viewer, case: PenaltyCase) -> Decision:
    return can_manage_case(user, case.organization)


CASE_WORKFLOW: Workflow[PenaltyCase] = register(
    Workflow(
        key=CASE_KEY,
        label=gettext_lazy("案件"),
        model=PenaltyCase,
        states=CaseState,
        moves=CASE_TRANSITIONS,
        resolver=case_capacities,
        guards=CASE_GUARDS,
        effects=CASE_EFFECTS,
        on_move=_on_move,
        notify=_notify_case,
        audit_prefix="enforcement.case_",
        organization_id=lambda case: case.organization_id,
        region_code=lambda case: case.organization.address_code,
        refusals={
            "bureau": refusal_by(_manages, gettext_lazy("只有登记管理机关可以办理行政处罚案件")),
        },
        lock_related=("organization", "organization__authority_region"),
    ),
    extra_moves=(CASE_OPEN_MOVE,),
)


def case_transition(
    *,
    actor: User,
    case: PenaltyCase,
    transition: str,
    note: str = "",
    decision_number: str = "",
    today: dt.date | None = None,
) -> PenaltyCase:
    """Move a penalty case along its workflow (the only path that changes its ``state``)."""
    with acting(actor, case):
        return run_move(
            CASE_WORKFLOW,
            case,
            transition,
            actor=actor,
            note=note,
            today=today,
            data={"decision_number": decision_number or ""},
        )


@transaction.atomic
def case_payment_record(
    *, actor: User, case: PenaltyCase, paid_on: dt.date, amount: Decimal | str
) -> PenaltyCase:
    """Record the fine's payment: the fine plus the late fee (3 %/day, capped) owed that day."""
    case = _lock_case(case)
    require(can_manage_case(actor, case.organization))
    if case.state != PS.EXECUTING:
        raise InvalidTransition(_("处罚决定送达后才能登记缴款"), details={"state": case.state})
    fine = case.fine_total()
    if not fine:
        raise ValidationFailed(_("本案没有罚款"), details={"amount": _("无效")})
    if case.paid_on is not None:
        raise Conflict(_("已登记缴款"))
    value = _money(amount, "amount")
    policy = policy_for(case.organization.address_code)
    case.paid_on = paid_on
    fee = case.late_fee(paid_on, rate=policy["late_fee_rate_per_day"], fine=fine)
    due = fine + fee
    if value != due:
        raise ValidationFailed(
            _("应缴金额为 %(due)s 元（罚款 %(fine)s 元，加处罚款 %(fee)s 元）")
            % {"due": _yuan(due), "fine": _yuan(fine), "fee": _yuan(fee)},
            details={"amount": _yuan(due)},
        )
    case.paid_amount = value
    case.save(update_fields=["paid_on", "paid_amount", "updated_at"])
    audit_record(
        actor=actor,
        kind="enforcement.case_paid",
        target=case,
        payload={"paid_on": paid_on.isoformat(), "amount": str(value), "late_fee": str(fee)},
        organization_id=case.organization_id,
        region_code=case.organization.address_code,
    )
    return case


@transaction.atomic
def case_lift_suspension(
    *, actor: User, case: PenaltyCase, today: dt.date | None = None
) -> PenaltyCase:
    """End a suspension: the organisation is active again and its certificate unsealed."""
    case = _lock_case(case)
    require(can_manage_case(actor, case.organization))
    suspension = case.sanctions.filter(kind="suspension").first()
    org = case.organization
    if suspension is None or case.decided_on is None or case.state == PS.DROPPED:
        raise InvalidTransition(_("本案没有限期停止活动的处罚决定"), details={"state": case.state})
    if org.status != Status.SUSPENDED or case.suspension_lifted_on is not None:
        raise InvalidTransition(_("该组织当前不在停止活动期间"), details={"status": org.status})
    today = today or timezone.localdate()
    reason = _("限期停止活动期满（%(number)s）") % {"number": case.decision_number}
    org_services.organization_change_status(
        actor=actor, org=org, status=Status.ACTIVE, reason=reason, effective_on=today, workflow=True
    )
    registration_services.certificate_unseal(actor=actor, organization=org, on=today, reason=reason)
    case.suspension_lifted_on = today
    case.save(update_fields=["suspension_lifted_on", "updated_at"])
    audit_record(
        actor=actor,
        kind="enforcement.suspension_lifted",
        target=case,
        payload={"on": today.isoformat()},
        organization_id=org.pk,
        region_code=org.address_code,
    )
    return case
