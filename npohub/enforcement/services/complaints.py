"""Complaints (投诉举报): public intake (throttled per client IP), triage, assignment, notes, the
reply and closing.

Every state change is a move of ``COMPLAINT_WORKFLOW`` made by the one workflow engine
(``npohub.core.workflows.run_move``): the table is ``workflows.COMPLAINT_TRANSITIONS``, the
capacities come from ``permissions.complaint_capacities``, the guards and the bookkeeping of
each move are below. The history is ``core.WorkflowEvent`` under ``enforcement.complaint``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import Conflict, DomainError, InvalidTransition, ValidationFailed
from npohub.core.permissions import Decision, require
from npohub.core.templatetags.npohub import cn_date
from npohub.core.workflows import MoveContext, Workflow, record_event, register, run_move
from npohub.notifications.services import notify
from npohub.orgs.models import Organization
from npohub.orgs.scope import region_users
from npohub.regions.models import Region

from ..models import Complaint, ComplaintCategory, ComplaintNote, PenaltyCase
from ..permissions import (
    Viewer,
    acting,
    can_be_assigned,
    can_handle_complaint,
    can_manage_case,
    can_manage_complaint,
    complaint_capacities,
    refusal_by,
)
from ..policy import policy_for
from ..workflows import (
    COMPLAINT_FINAL,
    COMPLAINT_KEY,
    COMPLAINT_SUBMIT,
    COMPLAINT_TRANSITIONS,
    COMPLAINT_WAITING,
    CS,
    ComplaintState,
    complaint_state_label,
)
from .common import _user


class Throttled(DomainError):
    """Too many complaints from one client in the window."""

    code = "enforcement.throttled"
    http_status = 429


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
    actor: Viewer,
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
    complainant_name = (complainant_name or "").strip()
    for field, value, limit in (
        ("complainant_name", complainant_name, 50),
        ("contact", contact, 100),
        ("organization_text", organization_text if organization is None else "", 200),
    ):
        if len(value) > limit:
            errors[field] = _("不能超过 %(limit)s 个字（现有 %(count)s 个）") % {
                "limit": limit,
                "count": len(value),
            }
    if errors:
        raise ValidationFailed(next(iter(errors.values())), details=errors)
    where = _complaint_region(organization, region_code)
    policy = policy_for(where)
    if channel == "portal":
        _throttle_check(client_ip, policy)
    today = today or timezone.localdate()
    complaint = Complaint(
        state=CS.SUBMITTED,
        complainant_name=complainant_name,
        contact=contact,
        organization=organization,
        organization_text=organization_text if organization is None else "",
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
    record_event(
        COMPLAINT_WORKFLOW,
        complaint,
        move=COMPLAINT_SUBMIT.name,
        from_state="",
        to_state=CS.SUBMITTED,
        actor=actor,
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
        recipients=region_users(where),
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


# --- the complaint workflow on the one engine ---------------------------------------------------

Context = MoveContext[Complaint]


def _guard_assigned(ctx: Context) -> None:
    if ctx.obj.assignee_id is None:
        raise ValidationFailed(_("请先分派承办人"), details={"assignee": _("必填")})


def _guard_transferred_to(ctx: Context) -> None:
    if not ctx.data.get("transferred_to"):
        raise ValidationFailed(_("请填写转办单位"), details={"transferred_to": _("必填")})


def _on_move(ctx: Context) -> None:
    """A complaint not accepted or transferred keeps the reason and the other body; every
    final state records the day the complaint was closed."""
    complaint = ctx.obj
    if ctx.move.name in ("not_accept", "transfer"):
        complaint.decision_note = ctx.note
        complaint.transferred_to = str(ctx.data.get("transferred_to", ""))
    if ctx.move.target in COMPLAINT_FINAL:
        complaint.closed_on = ctx.today


def _effect_reply(ctx: Context) -> None:
    ctx.obj.reply = ctx.note
    ctx.obj.replied_on = ctx.today


def _manages(user: Viewer, complaint: Complaint) -> Decision:
    return can_manage_complaint(user, complaint.region_code)


COMPLAINT_WORKFLOW: Workflow[Complaint] = register(
    Workflow(
        key=COMPLAINT_KEY,
        label=gettext_lazy("投诉举报"),
        model=Complaint,
        states=ComplaintState,
        moves=COMPLAINT_TRANSITIONS,
        resolver=complaint_capacities,
        guards={"assigned": _guard_assigned, "transferred_to": _guard_transferred_to},
        effects={"reply": _effect_reply},
        on_move=_on_move,
        audit_prefix="enforcement.complaint_",
        organization_id=lambda c: c.organization_id,
        region_code=lambda c: c.region_code,
        refusals={
            "bureau": refusal_by(_manages, gettext_lazy("只有辖区民政部门可以办理该步骤")),
            "handler": refusal_by(
                can_handle_complaint, gettext_lazy("只有承办人或辖区民政部门可以办理该投诉举报")
            ),
        },
        note_message=lambda move: _("请填写答复内容") if move.name == "reply" else _("请填写理由"),
        lock_related=("organization", "assignee"),
    ),
    extra_moves=(COMPLAINT_SUBMIT,),
)


def complaint_transition(
    *,
    actor: User,
    complaint: Complaint,
    transition: str,
    note: str = "",
    transferred_to: str = "",
    today: dt.date | None = None,
) -> Complaint:
    """Move a complaint along its workflow (the only path that changes its ``state``)."""
    with acting(actor, complaint):
        return run_move(
            COMPLAINT_WORKFLOW,
            complaint,
            transition,
            actor=actor,
            note=note,
            today=today,
            data={"transferred_to": (transferred_to or "").strip()[:200]},
        )


@transaction.atomic
def complaint_assign(*, actor: User, complaint: Complaint, assignee: User | None) -> Complaint:
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
    if not decision or assignee is None:
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
        body=_("请在 %(due)s 前答复投诉人") % {"due": cn_date(complaint.reply_due_on)},
        url=reverse("enforcement:complaint-detail", args=[complaint.pk]),
        actor=_user(actor),
    )
    return complaint


@transaction.atomic
def complaint_note_add(*, actor: User, complaint: Complaint, text: str) -> ComplaintNote:
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
def complaint_link_case(*, actor: User, complaint: Complaint, case: PenaltyCase) -> Complaint:
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
            else list(region_users(complaint.region_code))
        )
        title = (
            _("投诉举报 %(number)s 已超过答复期限 %(days)s 天")
            % {"number": complaint.number, "days": -left}
            if left < 0
            else _("投诉举报 %(number)s 须在 %(due)s 前答复")
            % {"number": complaint.number, "due": cn_date(complaint.reply_due_on)}
        )
        sent += notify(
            recipients=recipients,
            kind="enforcement.complaint_due",
            title=title,
            url=reverse("enforcement:complaint-detail", args=[complaint.pk]),
            dedupe_key=f"complaint-due:{complaint.pk}",
        )
    return sent
