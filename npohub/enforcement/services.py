"""Enforcement services: complaints, penalty cases and their effects, the rule-25 detector.

Every state change goes through one transition service per workflow
(:func:`complaint_transition`, :func:`case_transition`), which checks the table in
``workflows.py`` and the actor's capacity, runs the named guards and effects, writes a
``StateChange`` row and an audit event and notifies. A decision's effects on the registry
(status, certificate) and on credit (facts, barred persons) happen in the same transaction.
The dormant-organisation campaign lives in ``dormant.py``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import BUREAU_ROLES, User
from npohub.core.audit import actor_label_for, audit_record
from npohub.core.errors import Conflict, DomainError, InvalidTransition, ValidationFailed
from npohub.core.permissions import require
from npohub.notifications.services import notify
from npohub.orgs import services as org_services
from npohub.orgs.models import (
    CLOSED_STATUSES,
    AccessReason,
    Organization,
    OrganizationAccess,
    Status,
)
from npohub.regions.models import Region
from npohub.registration import services as registration_services

from .models import (
    Complaint,
    ComplaintCategory,
    ComplaintNote,
    PenaltyCase,
    Sanction,
    StateChange,
)
from .permissions import (
    can_be_assigned,
    can_handle_complaint,
    can_manage_campaign,
    can_manage_case,
    can_manage_complaint,
)
from .policy import policy_for
from .workflows import (
    CASE_EDITABLE,
    CASE_FINAL,
    COMPLAINT_FINAL,
    COMPLAINT_WAITING,
    CS,
    FINE_BASES,
    LEGAL_BASES,
    PENALTY_TYPES,
    PS,
    Transition,
    basis_key,
    case_state_label,
    case_transition_for,
    complaint_state_label,
    complaint_transition_for,
)


class Throttled(DomainError):
    """Too many complaints from one client in the window."""

    code = "enforcement.throttled"
    http_status = 429


def _user(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _record_state(
    *,
    actor: Any,
    transition: str,
    from_state: str,
    to_state: str,
    note: str = "",
    complaint: Complaint | None = None,
    case: PenaltyCase | None = None,
) -> StateChange:
    return StateChange.objects.create(
        complaint=complaint,
        case=case,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        actor=_user(actor),
        actor_label=actor_label_for(actor)[:150],
        note=note,
        occurred_at=timezone.now(),
    )


def _region_users(code: str, roles: Iterable[str]) -> list[User]:
    prefixes = {code[:n] for n in (2, 4, 6, 9, 12)}
    return list(
        User.objects.filter(is_active=True, role__in=list(roles), scope_prefix__in=prefixes)
    )


def _owners(org: Organization) -> list[User]:
    return [
        g.user
        for g in OrganizationAccess.objects.filter(
            organization_id=org.pk, reason=AccessReason.OWN
        ).select_related("user")
        if g.user.is_active
    ]


# ---------------------------------------------------------------------------------------------
# Complaints: public intake (throttled per client IP), triage, assignment, notes, reply

TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _tracking_number(today: dt.date) -> str:
    """ "TS" + date + 8 random characters (40 bits): unguessable, so it is the lookup key."""
    return f"TS{today:%Y%m%d}" + "".join(secrets.choice(TRACKING_ALPHABET) for _i in range(8))


def _throttle_key(client_ip: str) -> str:
    return f"enforcement:complaints:{client_ip or 'unknown'}"


def throttle_reset(client_ip: str) -> None:
    """Forget the submissions counted for one client (operators, tests)."""
    cache.delete(_throttle_key(client_ip))


def _throttle_check(client_ip: str, policy: dict[str, Any]) -> None:
    limit = int(policy["complaint_rate_limit"])
    if int(cache.get(_throttle_key(client_ip), 0)) >= limit:
        minutes = int(policy["complaint_rate_window_seconds"]) // 60
        raise Throttled(
            _(
                "提交过于频繁：同一网络在 %(minutes)s 分钟内最多可提交 %(limit)s 件投诉举报，请稍后再试。"
            )
            % {"minutes": minutes, "limit": limit},
            details={"limit": limit, "window_seconds": policy["complaint_rate_window_seconds"]},
        )


def _throttle_count(client_ip: str, policy: dict[str, Any]) -> None:
    key = _throttle_key(client_ip)
    if not cache.add(key, 1, int(policy["complaint_rate_window_seconds"])):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, int(policy["complaint_rate_window_seconds"]))


def _complaint_region(organization: Organization | None, region_code: str) -> str:
    if organization is not None:
        return organization.address_code
    code = (region_code or "").strip()
    if code:
        region = Region.objects.filter(code=code.ljust(12, "0")).first()
        if region is None:
            raise ValidationFailed(
                _("未知的区划代码“%(code)s”") % {"code": code},
                details={"region_code": _("无效")},
            )
        return region.code
    return str(settings.NPOHUB_CITY_CODE)


@transaction.atomic
def complaint_submit(
    *,
    actor: Any,
    client_ip: str,
    contact: str,
    category: str,
    description: str,
    complainant_name: str = "",
    organization: Organization | None = None,
    organization_text: str = "",
    region_code: str = "",
    channel: str = "portal",
    today: dt.date | None = None,
) -> Complaint:
    """Receive a complaint from the public (no sign-in); the reply is due within the policy's days."""
    contact = (contact or "").strip()
    description = (description or "").strip()
    organization_text = (organization_text or "").strip()
    errors: dict[str, str] = {}
    if not contact:
        errors["contact"] = _("请填写联系方式，以便答复")
    if category not in ComplaintCategory.values:
        errors["category"] = _("请选择投诉举报类别")
    if len(description) < 10:
        errors["description"] = _("请具体描述投诉举报的事项（至少 10 个字）")
    if organization is None and not organization_text:
        errors["organization"] = _("请填写被投诉举报的组织名称")
    if errors:
        raise ValidationFailed(next(iter(errors.values())), details=errors)
    where = _complaint_region(organization, region_code)
    policy = policy_for(where)
    if channel == "portal":
        _throttle_check(client_ip, policy)
    today = today or timezone.localdate()
    complaint = Complaint(
        state=CS.SUBMITTED,
        complainant_name=(complainant_name or "").strip()[:50],
        contact=contact[:100],
        organization=organization,
        organization_text=organization_text[:200] if organization is None else "",
        category=category,
        description=description,
        region_code=where,
        channel=channel,
        received_on=today,
        reply_due_on=today + dt.timedelta(days=int(policy["complaint_reply_days"])),
    )
    for _attempt in range(5):
        complaint.number = _tracking_number(today)
        try:
            with transaction.atomic():
                complaint.save()
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover - five collisions of 40 random bits
        raise Conflict(_("编号冲突，请重试"))
    _record_state(
        actor=actor, transition="submit", from_state="", to_state=CS.SUBMITTED, complaint=complaint
    )
    audit_record(
        actor=actor,
        kind="enforcement.complaint_submitted",
        target=complaint,
        payload={"number": complaint.number, "category": category, "channel": channel},
        organization_id=complaint.organization_id,
        region_code=where,
    )
    if channel == "portal":
        _throttle_count(client_ip, policy)
    notify(
        recipients=_region_users(where, BUREAU_ROLES),
        kind="enforcement.complaint_new",
        title=_("新的投诉举报：%(number)s") % {"number": complaint.number},
        body=complaint.organization_label,
        url=reverse("enforcement:complaint-detail", args=[complaint.pk]),
        actor=_user(actor),
    )
    return complaint


def _lock_complaint(complaint: Complaint) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("organization", "assignee")
        .get(pk=complaint.pk)
    )


def _guard_assigned(complaint: Complaint) -> None:
    if complaint.assignee_id is None:
        raise ValidationFailed(_("请先分派承办人"), details={"assignee": _("必填")})


COMPLAINT_GUARDS: dict[str, Callable[[Complaint], None]] = {"assigned": _guard_assigned}


@transaction.atomic
def complaint_transition(
    *,
    actor: Any,
    complaint: Complaint,
    transition: str,
    note: str = "",
    transferred_to: str = "",
    today: dt.date | None = None,
) -> Complaint:
    """Move a complaint along its workflow (the only path that changes its ``state``)."""
    complaint = _lock_complaint(complaint)
    move = complaint_transition_for(transition)
    if move is None:
        raise InvalidTransition(
            _("投诉举报没有“%(move)s”这一步") % {"move": transition},
            details={"transition": transition},
        )
    if complaint.state not in move.sources:
        raise InvalidTransition(
            _("投诉举报处于“%(state)s”状态，不能“%(move)s”")
            % {"state": complaint_state_label(complaint.state), "move": move.label},
            details={"state": complaint.state, "transition": transition},
        )
    if move.capacity == "bureau":
        require(can_manage_complaint(actor, complaint.region_code))
    else:
        require(can_handle_complaint(actor, complaint))
    note = (note or "").strip()
    if move.needs_note and not note:
        message = _("请填写答复内容") if move.name == "reply" else _("请填写理由")
        raise ValidationFailed(message, details={"note": _("必填")})
    transferred_to = (transferred_to or "").strip()
    if move.name == "transfer" and not transferred_to:
        raise ValidationFailed(_("请填写转办单位"), details={"transferred_to": _("必填")})
    for guard in move.guards:
        COMPLAINT_GUARDS[guard](complaint)
    today = today or timezone.localdate()
    from_state = complaint.state
    complaint.state = move.target
    if move.name in ("not_accept", "transfer"):
        complaint.decision_note = note
        complaint.transferred_to = transferred_to
        complaint.closed_on = today
    if move.name == "reply":
        complaint.reply = note
        complaint.replied_on = today
    if move.name == "close":
        complaint.closed_on = today
    complaint.save()
    _record_state(
        actor=actor,
        transition=move.name,
        from_state=from_state,
        to_state=move.target,
        note=note,
        complaint=complaint,
    )
    audit_record(
        actor=actor,
        kind=f"enforcement.complaint_{move.name}",
        target=complaint,
        payload={"from": from_state, "to": move.target, "note": note},
        organization_id=complaint.organization_id,
        region_code=complaint.region_code,
    )
    return complaint


@transaction.atomic
def complaint_assign(*, actor: Any, complaint: Complaint, assignee: Any) -> Complaint:
    """Assign an accepted complaint to a bureau or street officer whose region covers it."""
    complaint = _lock_complaint(complaint)
    require(can_manage_complaint(actor, complaint.region_code))
    if complaint.state not in (CS.ACCEPTED, CS.INVESTIGATING):
        raise InvalidTransition(
            _("投诉举报处于“%(state)s”状态，不能分派")
            % {"state": complaint_state_label(complaint.state)},
            details={"state": complaint.state},
        )
    decision = can_be_assigned(assignee, complaint.region_code)
    if not decision:
        raise ValidationFailed(decision.reason, details={"assignee": decision.reason})
    before = complaint.assignee_id
    complaint.assignee = assignee
    complaint.save(update_fields=["assignee", "updated_at"])
    audit_record(
        actor=actor,
        kind="enforcement.complaint_assigned",
        target=complaint,
        payload={"from": before, "to": assignee.pk},
        organization_id=complaint.organization_id,
        region_code=complaint.region_code,
    )
    notify(
        recipients=[assignee],
        kind="enforcement.complaint_assigned",
        title=_("投诉举报 %(number)s 已分派给您") % {"number": complaint.number},
        body=_("请在 %(due)s 前答复投诉人") % {"due": complaint.reply_due_on.isoformat()},
        url=reverse("enforcement:complaint-detail", args=[complaint.pk]),
        actor=_user(actor),
    )
    return complaint


@transaction.atomic
def complaint_note_add(*, actor: Any, complaint: Complaint, text: str) -> ComplaintNote:
    """Record an investigation note (internal) on a complaint still being handled."""
    complaint = _lock_complaint(complaint)
    require(can_handle_complaint(actor, complaint))
    if complaint.state in COMPLAINT_FINAL:
        raise InvalidTransition(
            _("投诉举报已“%(state)s”，不能再添加核查记录")
            % {"state": complaint_state_label(complaint.state)},
            details={"state": complaint.state},
        )
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("请填写核查记录"), details={"text": _("必填")})
    note = ComplaintNote.objects.create(
        complaint=complaint, author=actor, text=text, created_at=timezone.now()
    )
    audit_record(
        actor=actor,
        kind="enforcement.complaint_note_added",
        target=complaint,
        payload={"note_id": note.pk},
        organization_id=complaint.organization_id,
        region_code=complaint.region_code,
    )
    return note


@transaction.atomic
def complaint_link_case(*, actor: Any, complaint: Complaint, case: PenaltyCase) -> Complaint:
    """Link a complaint to the penalty case it led to (the same organisation)."""
    complaint = _lock_complaint(complaint)
    require(can_manage_complaint(actor, complaint.region_code))
    require(can_manage_case(actor, case.organization))
    if complaint.organization_id and complaint.organization_id != case.organization_id:
        raise ValidationFailed(
            _("案件的当事组织与被投诉组织不一致"), details={"case_id": _("无效")}
        )
    complaint.penalty_case = case
    complaint.save(update_fields=["penalty_case", "updated_at"])
    audit_record(
        actor=actor,
        kind="enforcement.complaint_linked",
        target=complaint,
        payload={"case": case.number},
        organization_id=case.organization_id,
        region_code=complaint.region_code,
    )
    return complaint


def complaint_remind_due(*, today: dt.date | None = None) -> int:
    """Remind the assignee (else the bureau) of complaints whose reply is due soon or overdue.

    Idempotent: one unread reminder per complaint and recipient (``dedupe_key``)."""
    today = today or timezone.localdate()
    sent = 0
    waiting = Complaint.objects.filter(state__in=COMPLAINT_WAITING).select_related("assignee")
    for complaint in waiting.iterator():
        days = int(policy_for(complaint.region_code)["complaint_reminder_days"])
        left = (complaint.reply_due_on - today).days
        if left > days:
            continue
        recipients = (
            [complaint.assignee]
            if complaint.assignee is not None
            else _region_users(complaint.region_code, BUREAU_ROLES)
        )
        title = (
            _("投诉举报 %(number)s 已超过答复期限 %(days)s 天")
            % {"number": complaint.number, "days": -left}
            if left < 0
            else _("投诉举报 %(number)s 须在 %(due)s 前答复")
            % {"number": complaint.number, "due": complaint.reply_due_on.isoformat()}
        )
        sent += notify(
            recipients=recipients,
            kind="enforcement.complaint_due",
            title=title,
            url=reverse("enforcement:complaint-detail", args=[complaint.pk]),
            dedupe_key=f"complaint-due:{complaint.pk}",
        )
    return sent


# ---------------------------------------------------------------------------------------------
# Penalty cases


def _next_case_number(today: dt.date) -> str:
    prefix = f"CF{today:%Y}"
    last = PenaltyCase.objects.filter(number__startswith=prefix).aggregate(m=Max("number")).get("m")
    serial = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{serial:05d}"


def _create_case(
    *,
    actor: Any,
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
    _record_state(actor=actor, transition="open", from_state="", to_state=state, case=case)
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
    actor: Any,
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


def _money(value: Any, field_name: str) -> Decimal | None:
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
    actor: Any,
    case: PenaltyCase,
    kind: str,
    amount: Any = None,
    fine_basis: str = "",
    basis_amount: Any = None,
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
        note=(note or "").strip()[:200],
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
def sanction_remove(*, actor: Any, sanction: Sanction) -> None:
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


@dataclass
class CaseContext:
    actor: Any
    case: PenaltyCase
    move: Transition
    today: dt.date
    note: str = ""
    decision_number: str = ""
    policy: dict[str, Any] = field(default_factory=dict)
    payload: dict[str, Any] = field(default_factory=dict)


def _guard_has_sanctions(ctx: CaseContext) -> None:
    if not ctx.case.sanctions.exists():
        raise ValidationFailed(_("请先拟定处罚内容"), details={"sanctions": _("必填")})


def _guard_sanction_limits(ctx: CaseContext) -> None:
    for s in ctx.case.sanctions.all():
        check_fine(
            basis=ctx.case.basis_key,
            kind=s.kind,
            amount=s.amount,
            fine_basis=s.fine_basis,
            basis_amount=s.basis_amount,
            policy=ctx.policy,
        )


def _guard_within_statement_period(ctx: CaseContext) -> None:
    due = ctx.case.statement_due_on
    if due is not None and ctx.today > due:
        raise ValidationFailed(
            _("陈述申辩期限（%(due)s）已过") % {"due": due.isoformat()},
            details={"statement_due_on": due.isoformat()},
        )


def _guard_statement_period_over(ctx: CaseContext) -> None:
    due = ctx.case.statement_due_on
    if ctx.case.state == PS.NOTIFIED and due is not None and ctx.today <= due:
        raise ValidationFailed(
            _("陈述申辩期限（至 %(due)s）未满，不能作出处罚决定") % {"due": due.isoformat()},
            details={"statement_due_on": due.isoformat()},
        )


def _guard_fines_paid(ctx: CaseContext) -> None:
    if ctx.case.fine_total() and ctx.case.paid_on is None:
        raise ValidationFailed(_("罚款尚未缴纳，不能结案"), details={"paid_on": _("必填")})


CASE_GUARDS: dict[str, Callable[[CaseContext], None]] = {
    "has_sanctions": _guard_has_sanctions,
    "sanction_limits": _guard_sanction_limits,
    "within_statement_period": _guard_within_statement_period,
    "statement_period_over": _guard_statement_period_over,
    "fines_paid": _guard_fines_paid,
}


def _effect_start_statement_period(ctx: CaseContext) -> None:
    ctx.case.notified_on = ctx.today
    ctx.case.statement_due_on = ctx.today + dt.timedelta(days=int(ctx.policy["statement_days"]))


def _credit_fact(ctx: CaseContext, sanction: Sanction, kind: str, amount: Any = None) -> None:
    from npohub.credit.services import credit_fact_record

    case = ctx.case
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


def _set_status(ctx: CaseContext, status: str, reason: str) -> None:
    org = ctx.case.organization
    org_services.organization_change_status(
        actor=ctx.actor,
        org=org,
        status=status,
        reason=reason,
        effective_on=ctx.today,
        workflow=True,
    )
    org.refresh_from_db()


def _apply_sanction(ctx: CaseContext, s: Sanction) -> None:
    case = ctx.case
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

        years = int(ctx.policy["bar_person_years"])
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


def _effect_apply_decision(ctx: CaseContext) -> None:
    case = ctx.case
    if case.organization.is_closed:
        raise ValidationFailed(
            _("该组织已注销或撤销，不能作出处罚决定"), details={"organization": _("已注销或撤销")}
        )
    case.decided_on = ctx.today
    case.decision_number = (ctx.decision_number or "").strip() or _("%(number)s号") % {
        "number": case.number
    }
    case.decision_note = ctx.note
    case.service_due_on = ctx.today + dt.timedelta(days=int(ctx.policy["service_days"]))
    for s in case.sanctions.all():
        _apply_sanction(ctx, s)
    ctx.payload["sanctions"] = [s.kind for s in case.sanctions.all()]


def _effect_serve(ctx: CaseContext) -> None:
    case = ctx.case
    case.served_on = ctx.today
    if case.fine_total():
        case.payment_due_on = ctx.today + dt.timedelta(days=int(ctx.policy["payment_days"]))
    if case.service_due_on and ctx.today > case.service_due_on:
        ctx.payload["served_late"] = True


def _effect_close(ctx: CaseContext) -> None:
    ctx.case.closed_on = ctx.today


CASE_EFFECTS: dict[str, Callable[[CaseContext], None]] = {
    "start_statement_period": _effect_start_statement_period,
    "apply_decision": _effect_apply_decision,
    "serve": _effect_serve,
    "close": _effect_close,
}


@transaction.atomic
def case_transition(
    *,
    actor: Any,
    case: PenaltyCase,
    transition: str,
    note: str = "",
    decision_number: str = "",
    today: dt.date | None = None,
) -> PenaltyCase:
    """Move a penalty case along its workflow (the only path that changes its ``state``)."""
    case = _lock_case(case)
    move = case_transition_for(transition)
    if move is None:
        raise InvalidTransition(
            _("行政处罚案件没有“%(move)s”这一步") % {"move": transition},
            details={"transition": transition},
        )
    if case.state not in move.sources:
        raise InvalidTransition(
            _("案件处于“%(state)s”状态，不能“%(move)s”")
            % {"state": case_state_label(case.state), "move": move.label},
            details={"state": case.state, "transition": transition},
        )
    require(can_manage_case(actor, case.organization))
    note = (note or "").strip()
    if move.needs_note and not note:
        raise ValidationFailed(_("请填写理由"), details={"note": _("必填")})
    ctx = CaseContext(
        actor=actor,
        case=case,
        move=move,
        today=today or timezone.localdate(),
        note=note,
        decision_number=decision_number,
        policy=policy_for(case.organization.address_code),
    )
    for guard in move.guards:
        CASE_GUARDS[guard](ctx)
    from_state = case.state
    if move.effect:
        CASE_EFFECTS[move.effect](ctx)
    case.state = move.target
    if move.name == "file":
        case.filed_on = ctx.today
    if move.target == PS.DROPPED:
        case.closed_on = ctx.today
        case.decision_note = note
    case.save()
    _record_state(
        actor=actor,
        transition=move.name,
        from_state=from_state,
        to_state=move.target,
        note=note,
        case=case,
    )
    audit_record(
        actor=actor,
        kind=f"enforcement.case_{move.name}",
        target=case,
        payload={"from": from_state, "to": move.target, "note": note, **ctx.payload},
        organization_id=case.organization_id,
        region_code=case.organization.address_code,
    )
    _notify_case(case, move, actor)
    return case


def _notify_case(case: PenaltyCase, move: Transition, actor: Any) -> None:
    """The organisation hears of the prior notice, the decision, its service and the closing."""
    if move.name not in ("notify", "decide", "serve", "close", "no_penalty"):
        return
    notify(
        recipients=_owners(case.organization),
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


@transaction.atomic
def case_payment_record(
    *, actor: Any, case: PenaltyCase, paid_on: dt.date, amount: Any
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
    *, actor: Any, case: PenaltyCase, today: dt.date | None = None
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


# ---------------------------------------------------------------------------------------------
# Rule 25: N consecutive report years without an annual report → a revocation case (proposed)


def last_due_report_year(on: dt.date, policy: dict[str, Any]) -> int:
    """The latest report year whose deadline (31 May of the next year) has passed on ``on``."""
    month, day = policy["annual_report_due"]
    return on.year - 1 if on > dt.date(on.year, month, day) else on.year - 2


def _revocation_kind(case: PenaltyCase) -> str:
    return "certificate_revocation" if case.basis_key == "charity" else "revocation"


@transaction.atomic
def case_propose_missing_reports(
    *, actor: Any, on: dt.date | None = None, region_prefix: str = ""
) -> list[PenaltyCase]:
    """Propose (拟立案) a revocation case for each open registered organisation that filed no
    annual report for N consecutive due years (N per place: policy
    ``revocation_missing_report_years``). Idempotent: an organisation already proposed for the
    same years, or with an open revocation case, gets no second one."""
    from npohub.supervision.selectors import deadlines_for, is_due, report_years_filed

    if _user(actor) is not None:
        region_prefix = region_prefix or ("" if actor.is_superuser else actor.scope_prefix)
        require(can_manage_campaign(actor, region_prefix))
    on = on or timezone.localdate()
    orgs = list(
        Organization.objects.registered()
        .exclude(status__in=CLOSED_STATUSES)
        .filter(address_code__startswith=region_prefix)
        .select_related("authority_region")
    )
    windows: dict[int, list[int]] = {}
    for org in orgs:
        # The annual-report calendar (rules 21-22) is supervision's: the latest year whose
        # bureau deadline for this organisation's kind has passed, and whether it was due.
        last = on.year - 1 if on > deadlines_for(org, on.year - 1).bureau else on.year - 2
        n = int(policy_for(org.address_code)["revocation_missing_report_years"])
        windows[org.pk] = list(range(last - n + 1, last + 1))
    all_years = {y for years in windows.values() for y in years}
    filed = report_years_filed([o.pk for o in orgs], sorted(all_years))
    open_revocations = set(
        Sanction.objects.filter(kind__in=("revocation", "certificate_revocation"))
        .exclude(case__state__in=CASE_FINAL)
        .values_list("case__organization_id", flat=True)
    )
    proposed: dict[tuple[int, str], PenaltyCase] = {}
    for case in PenaltyCase.objects.filter(
        source_ref__startswith="missing-reports:",
        organization__address_code__startswith=region_prefix,
    ):  # newest first: the one ``.first()`` would give
        proposed.setdefault((case.organization_id, case.source_ref), case)
    result: list[PenaltyCase] = []
    for org in orgs:
        years = windows[org.pk]
        if not all(is_due(org, y) for y in years) or filed.get(org.pk, set()) & set(years):
            continue
        ref = f"missing-reports:{years[0]}-{years[-1]}"
        existing = proposed.get((org.pk, ref))
        if existing is not None:
            result.append(existing)
            continue
        if org.pk in open_revocations:
            continue
        result.append(_propose_revocation(org=org, years=years, ref=ref, actor=actor, on=on))
    return result


def _propose_revocation(
    *, org: Organization, years: list[int], ref: str, actor: Any, on: dt.date
) -> PenaltyCase:
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    case = _create_case(
        actor=actor,
        organization=org,
        title=_("连续 %(n)s 年未报送年度工作报告（%(span)s）") % {"n": len(years), "span": span},
        facts=_("截至 %(on)s，%(span)s 年度的年度工作报告均未报送登记管理机关。")
        % {"on": on.isoformat(), "span": span},
        state=PS.PROPOSED,
        source="missing_reports",
        source_ref=ref,
        today=on,
    )
    kind = _revocation_kind(case)
    Sanction.objects.create(
        case=case,
        kind=kind,
        legal_basis=str(LEGAL_BASES[case.basis_key].label),
        note=_("拟撤销登记（规则 25）"),
    )
    notify(
        recipients=_region_users(org.address_code, BUREAU_ROLES),
        kind="enforcement.case_proposed",
        title=_("拟立案：%(name)s %(title)s") % {"name": org.name, "title": case.title},
        url=reverse("enforcement:case-detail", args=[case.pk]),
    )
    return case


def missing_reports_detector(on: dt.date, actor: Any) -> int:
    """The credit engine's daily run calls this (``credit.registry``): proposals made or found."""
    return len(case_propose_missing_reports(actor=None, on=on))
