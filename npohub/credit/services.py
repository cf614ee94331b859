"""Writes on credit information, the lists, objections/repair, contacts and barred persons.

Every service is one transaction with one audit event. ``actor`` may be ``None`` for system
jobs (the daily evaluation, detectors); the audit trail then names the system.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import Conflict, PermissionDenied, ValidationFailed
from npohub.core.params import decimal_problem
from npohub.core.permissions import require
from npohub.core.templatetags.npohub import cn_date
from npohub.core.validators import IdentifierError, id_number_validate
from npohub.core.workflows import record_event, run_move
from npohub.orgs.models import Organization

from .evaluation import EvaluationResult
from .evaluation import credit_evaluate as _evaluate
from .models import (
    FACT_CATEGORY,
    BarredPerson,
    ContactAttempt,
    ContactMethod,
    CreditFact,
    CreditRequest,
    CreditRule,
    FactKind,
    Listing,
    RequestKind,
)
from .permissions import (
    can_enter_fact,
    can_file_request,
    can_manage_credit,
    can_manage_rules,
    can_record_contact,
)
from .policy import policy_for, working_days_between
from .workflows import FILE_MOVES, OPEN_STATES, RS, repair_refusal, workflow_of

__all__ = ["EvaluationResult"]

# A fact's amount as its column holds it (CreditFact.amount: DecimalField(14, 2)).
AMOUNT_MAX_DIGITS = 14
AMOUNT_DECIMAL_PLACES = 2


def validate_id_number(value: str) -> bool:
    try:
        id_number_validate(value)
    except IdentifierError:
        return False
    return True


def _user_or_none(actor: User | None) -> User | None:
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def is_late_entry(arose_on: dt.date, entered_on: dt.date, region_code: str = "") -> bool:
    """Rule 28: more than N working days (weekends and listed holidays skipped) between them."""
    policy = policy_for(region_code)
    return working_days_between(arose_on, entered_on, policy) > int(policy["entry_working_days"])


def credit_fact_record(
    *,
    actor: User | None,
    organization: Organization,
    kind: str,
    arose_on: dt.date,
    source: str,
    source_ref: str,
    summary: str,
    legal_basis: str = "",
    amount: Decimal | None = None,
    evidence: dict[str, Any] | None = None,
    entered_on: dt.date | None = None,
) -> CreditFact:
    """Record one credit fact; idempotent on (kind, source_ref): a repeat returns the stored row."""
    existing = CreditFact.objects.filter(kind=kind, source_ref=source_ref).first()
    if existing is not None:
        return existing
    errors: dict[str, str] = {}
    if kind not in FactKind.values:
        errors["kind"] = _("未知的信用信息类型“%(kind)s”") % {"kind": kind}
    if not (summary or "").strip():
        errors["summary"] = _("请填写信用信息摘要")
    if not (source_ref or "").strip():
        errors["source_ref"] = _("缺少来源标识")
    elif len(source_ref) > 120:
        errors["source_ref"] = _("来源标识不能超过%(max)s个字符") % {"max": 120}
    entered_on = entered_on or timezone.localdate()
    if arose_on > entered_on:
        errors["arose_on"] = _("产生日期不能晚于录入日期")
    if amount is not None and amount < 0:
        errors["amount"] = _("金额不能为负数")
    elif problem := decimal_problem(
        amount, max_digits=AMOUNT_MAX_DIGITS, decimal_places=AMOUNT_DECIMAL_PLACES, minimum=0
    ):
        errors["amount"] = problem
    if errors:
        raise ValidationFailed(next(iter(errors.values())), details=errors)
    fact = CreditFact(
        organization=organization,
        kind=kind,
        category=FACT_CATEGORY[kind],
        arose_on=arose_on,
        entered_on=entered_on,
        is_late_entry=is_late_entry(arose_on, entered_on, organization.address_code),
        summary=summary.strip()[:500],
        legal_basis=legal_basis[:300],
        amount=amount,
        evidence=evidence or {},
        source=source,
        source_ref=source_ref,
        recorded_by=_user_or_none(actor),
    )
    try:
        with transaction.atomic():
            fact.save()
            audit_record(
                actor=actor,
                kind="credit.fact_recorded",
                target=fact,
                payload={
                    "kind": kind,
                    "arose_on": arose_on.isoformat(),
                    "entered_on": entered_on.isoformat(),
                    "is_late_entry": fact.is_late_entry,
                    "source": source,
                    "source_ref": source_ref,
                    "amount": str(amount) if amount is not None else None,
                },
                organization_id=organization.pk,
                region_code=organization.address_code,
            )
    except IntegrityError:
        # A concurrent call stored the same (kind, source_ref) first: return that row.
        return CreditFact.objects.get(kind=kind, source_ref=source_ref)
    return fact


@transaction.atomic
def credit_fact_resolve(
    *, actor: User | None, fact: CreditFact, on: dt.date, note: str
) -> CreditFact:
    """Mark the obligation behind a fact as fulfilled or rectified on ``on``."""
    fact = CreditFact.objects.select_for_update().get(pk=fact.pk)
    if fact.resolved_on is not None:
        if fact.resolved_on == on:
            return fact
        raise Conflict(
            _("该信用信息已于%(date)s登记履行/整改") % {"date": cn_date(fact.resolved_on)},
            code="credit.already_resolved",
        )
    if on < fact.arose_on:
        raise ValidationFailed(_("履行/整改日期不能早于信息产生日期"), details={"on": _("无效")})
    fact.resolved_on = on
    fact.resolved_note = (note or "").strip()[:500]
    fact.save(update_fields=["resolved_on", "resolved_note"])
    audit_record(
        actor=actor,
        kind="credit.fact_resolved",
        target=fact,
        payload={"on": on.isoformat(), "note": fact.resolved_note},
        organization_id=fact.organization_id,
        region_code=fact.organization.address_code,
    )
    return fact


def credit_fact_enter(
    *,
    actor: User,
    organization: Organization,
    kind: str,
    arose_on: dt.date,
    summary: str,
    legal_basis: str = "",
    amount: Decimal | None = None,
    reference: str = "",
) -> CreditFact:
    """A bureau enters a fact by hand (a court notice, another department's fine)."""
    require(can_enter_fact(actor, organization))
    reference = (reference or "").strip()
    if not reference:
        raise ValidationFailed(
            _("请填写文书编号（如判决书或处罚决定书文号）"), details={"reference": _("必填")}
        )
    if len(reference) > 80:
        message = _("文书编号不能超过%(max)s个字符") % {"max": 80}
        raise ValidationFailed(message, details={"reference": message})
    source_ref = f"manual:{organization.pk}:{reference}"
    if CreditFact.objects.filter(kind=kind, source_ref=source_ref).exists():
        raise Conflict(
            _("该文书编号的信用信息已录入"),
            code="credit.duplicate_fact",
            details={"reference": _("已存在")},
        )
    return credit_fact_record(
        actor=actor,
        organization=organization,
        kind=kind,
        arose_on=arose_on,
        source="manual",
        source_ref=source_ref,
        summary=summary,
        legal_basis=legal_basis,
        amount=amount,
        evidence={"reference": reference},
    )


# --- evaluation (the engine lives in evaluation.py) ---------------------------------------


def credit_evaluate(*, on: dt.date, actor: User | None = None) -> EvaluationResult:
    """Run the detectors and the listing rules for ``on`` (idempotent, deterministic)."""
    if actor is not None:
        require(can_manage_credit(actor))
    return _evaluate(on=on, actor=actor)


# --- objections and repair ----------------------------------------------------------------


@transaction.atomic
def credit_request_file(
    *, actor: User, listing: Listing, kind: str, reasons: str, fact: CreditFact | None = None
) -> CreditRequest:
    """The organisation objects to a listing or applies for credit repair."""
    org = listing.organization
    require(can_file_request(actor, org))
    reasons = (reasons or "").strip()
    if kind not in RequestKind.values:
        raise ValidationFailed(_("未知的申请类型"), details={"kind": _("无效")})
    if not reasons:
        raise ValidationFailed(_("请填写理由"), details={"reasons": _("必填")})
    if listing.removed_on is not None:
        raise Conflict(_("该名单记录已移出，无需申请"), code="credit.listing_removed")
    if CreditRequest.objects.filter(listing=listing, kind=kind, state__in=OPEN_STATES).exists():
        raise Conflict(_("已有待处理的同类申请"), code="credit.request_pending")
    today = timezone.localdate()
    if kind == RequestKind.REPAIR:
        refusal = repair_refusal(listing, today)
        if refusal:
            raise ValidationFailed(
                refusal, code="credit.repair_not_allowed", details={"listing": refusal}
            )
    request = CreditRequest.objects.create(
        kind=kind,
        organization=org,
        listing=listing,
        fact=fact,
        state=RS.FILED,
        reasons=reasons,
        filed_by=actor,
        filed_on=today,
    )
    record_event(
        workflow_of(request),
        request,
        move=FILE_MOVES[kind].name,
        from_state="",
        to_state=RS.FILED,
        actor=actor,
        note=reasons,
    )
    audit_record(
        actor=actor,
        kind=f"credit.{kind}_filed",
        target=request,
        payload={"listing": listing.pk, "reasons": reasons},
        organization_id=org.pk,
        region_code=org.address_code,
    )
    return request


def credit_request_transition(
    *, actor: User, request: CreditRequest, transition: str, note: str = ""
) -> CreditRequest:
    """Move an objection or repair application along its workflow table (core's engine runs
    it: row locked, capacity, note, guards, effect, history, audit, notification)."""
    return run_move(workflow_of(request), request, transition, actor=actor, note=note)


# --- contact attempts ---------------------------------------------------------------------


@transaction.atomic
def contact_attempt_record(
    *,
    actor: User | None,
    organization: Organization,
    method: str,
    sent_on: dt.date,
    signed: bool,
    returned_on: dt.date | None = None,
    note: str = "",
    check_permission: bool = True,
) -> ContactAttempt:
    """Record an attempt to reach the organisation; two unsigned registered letters
    20–60 days apart (policy) record a "cannot be contacted" fact."""
    if check_permission and actor is not None:
        require(can_record_contact(actor, organization))
    if method not in ContactMethod.values:
        raise ValidationFailed(_("未知的联系方式"), details={"method": _("无效")})
    if returned_on is not None and returned_on < sent_on:
        raise ValidationFailed(_("退回日期不能早于发出日期"), details={"returned_on": _("无效")})
    attempt = ContactAttempt.objects.create(
        organization=organization,
        method=method,
        sent_on=sent_on,
        signed=signed,
        returned_on=returned_on,
        note=(note or "").strip()[:500],
        recorded_by=_user_or_none(actor),
    )
    audit_record(
        actor=actor,
        kind="credit.contact_recorded",
        target=attempt,
        payload={"method": method, "sent_on": sent_on.isoformat(), "signed": signed},
        organization_id=organization.pk,
        region_code=organization.address_code,
    )
    if method == ContactMethod.LETTER and not signed:
        policy = policy_for(organization.address_code)
        earlier = (
            ContactAttempt.objects.filter(
                organization=organization,
                method=ContactMethod.LETTER,
                signed=False,
                sent_on__gte=sent_on - dt.timedelta(days=policy["contact_interval_max_days"]),
                sent_on__lte=sent_on - dt.timedelta(days=policy["contact_interval_min_days"]),
            )
            .exclude(pk=attempt.pk)
            .order_by("-sent_on")
            .first()
        )
        if earlier is not None:
            arose = returned_on or sent_on
            credit_fact_record(
                actor=actor,
                organization=organization,
                kind=FactKind.CANNOT_CONTACT,
                arose_on=arose,
                entered_on=max(arose, timezone.localdate()),
                source="credit",
                source_ref=f"contact:{organization.pk}:{earlier.pk}:{attempt.pk}",
                summary=_("两次挂号信（%(first)s、%(second)s）均未签收")
                % {"first": cn_date(earlier.sent_on), "second": cn_date(sent_on)},
                legal_basis="《社会组织信用信息管理办法》",
                evidence={"letters": [earlier.pk, attempt.pk]},
            )
    return attempt


# --- barred persons -----------------------------------------------------------------------


@transaction.atomic
def barred_person_add(
    *,
    actor: User | None,
    id_number: str,
    name: str,
    reason: str,
    legal_basis: str,
    barred_from: dt.date,
    barred_until: dt.date | None = None,
    source_ref: str = "",
) -> BarredPerson:
    """Bar a person from serving as a responsible person; idempotent on a non-empty source_ref."""
    if actor is not None:
        require(can_manage_credit(actor))
    if source_ref:
        existing = BarredPerson.objects.filter(source_ref=source_ref).first()
        if existing is not None:
            return existing
    id_number = (id_number or "").strip().upper()
    errors: dict[str, str] = {}
    if not id_number:
        errors["id_number"] = _("请填写身份证号")
    elif not validate_id_number(id_number):
        errors["id_number"] = _("身份证号格式不正确")
    if not (name or "").strip():
        errors["name"] = _("请填写姓名")
    if not (reason or "").strip():
        errors["reason"] = _("请填写限制事由")
    if barred_until is not None and barred_until < barred_from:
        errors["barred_until"] = _("限制截止日不能早于起始日")
    if errors:
        raise ValidationFailed(next(iter(errors.values())), details=errors)
    barred = BarredPerson.objects.create(
        id_number=id_number,
        name=name.strip(),
        reason=reason.strip()[:500],
        legal_basis=(legal_basis or "").strip()[:300],
        barred_from=barred_from,
        barred_until=barred_until,
        decided_by=_user_or_none(actor),
        source_ref=source_ref,
    )
    audit_record(
        actor=actor,
        kind="credit.person_barred",
        target=barred,
        payload={"name": barred.name, "from": barred_from.isoformat(), "reason": barred.reason},
    )
    return barred


@transaction.atomic
def barred_person_lift(
    *, actor: User | None, barred: BarredPerson, on: dt.date, note: str
) -> BarredPerson:
    """End a restriction early (e.g. the decision was quashed)."""
    if actor is not None:
        require(can_manage_credit(actor))
    barred = BarredPerson.objects.select_for_update().get(pk=barred.pk)
    if barred.lifted_on is not None:
        raise Conflict(_("该限制已解除"), code="credit.already_lifted")
    if not (note or "").strip():
        raise ValidationFailed(_("请填写解除理由"), details={"note": _("必填")})
    barred.lifted_on = on
    barred.lifted_note = note.strip()[:500]
    barred.save(update_fields=["lifted_on", "lifted_note"])
    audit_record(
        actor=actor,
        kind="credit.person_lifted",
        target=barred,
        payload={"on": on.isoformat(), "note": barred.lifted_note},
    )
    return barred


# --- rules --------------------------------------------------------------------------------


@transaction.atomic
def credit_rule_update(
    *, actor: User, rule: CreditRule, is_active: bool, parameters: dict[str, Any]
) -> CreditRule:
    """A city bureau switches a local rule on or off or adjusts its parameters."""
    require(can_manage_rules(actor))
    rule = CreditRule.objects.select_for_update().get(pk=rule.pk)
    if not rule.is_local and (not is_active or parameters != rule.parameters):
        raise PermissionDenied(_("该规则依据已确认的规定，不能在本地停用或调整"))
    allowed = {"amount_below", "amount_at_least", "min_count", "window_years", "years"}
    unknown = set(parameters) - allowed
    if unknown:
        raise ValidationFailed(
            _("未知参数：%(keys)s") % {"keys": "、".join(sorted(unknown))},
            details={"parameters": _("无效")},
        )
    for key, value in parameters.items():
        try:
            if Decimal(str(value)) <= 0:
                raise ValueError
        except (ArithmeticError, ValueError):
            raise ValidationFailed(
                _("参数%(key)s必须是正数") % {"key": key}, details={"parameters": _("无效")}
            ) from None
    before = {"is_active": rule.is_active, "parameters": rule.parameters}
    rule.is_active = is_active
    rule.parameters = parameters
    rule.save(update_fields=["is_active", "parameters"])
    audit_record(
        actor=actor,
        kind="credit.rule_updated",
        target=rule,
        payload={"before": before, "after": {"is_active": is_active, "parameters": parameters}},
    )
    return rule
