"""What hubs do for the bureau over their current members: notices, escalations (问题上报) and
first-line reviews (初审), each labelled in the audit trail as done on the bureau's behalf."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import actor_label_for, audit_bulk, audit_record
from npohub.core.errors import PermissionDenied, ValidationFailed
from npohub.core.models import AuditEvent
from npohub.core.permissions import require
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
from npohub.orgs.models import Organization
from npohub.orgs.scope import organizations_accounts, scope_of

from .. import registry
from ..models import (
    Escalation,
    EscalationState,
    FirstLineReview,
    Hub,
    HubMembership,
    HubNotice,
    NoticeReceipt,
    ReviewOpinion,
)
from ..permissions import (
    can_act_for_members,
    can_act_on_member,
    escalation_capacities,
    escalation_refusal,
    may_handle_escalation,
)
from ..policy import policy_for
from ..workflows import BUREAU, ESCALATION_KEY, ESCALATION_RAISED, ESCALATION_TRANSITIONS
from .common import bureau_accounts_for, on_behalf_of_bureau


def _member_history_events(
    *,
    actor: User,
    kind: str,
    target: Any,
    hub: Hub,
    orgs: list[Organization],
    payload: dict[str, Any],
) -> None:
    """One audit row per member so a bulk action shows in every member's history."""
    behalf = on_behalf_of_bureau(hub)
    now = timezone.now()
    user = actor
    audit_bulk(
        [
            AuditEvent(
                occurred_at=now,
                actor=user,
                actor_label=actor_label_for(actor)[:150],
                on_behalf_of=behalf.label,
                on_behalf_of_ref=behalf.ref,
                kind=kind,
                target_type=target._meta.label_lower,
                target_id=str(target.pk),
                target_label=str(target)[:200],
                organization_id=org.pk,
                region_code=org.address_code,
                payload=payload,
            )
            for org in orgs
        ]
    )


@transaction.atomic
def hub_notice_send(*, actor: User, hub: Hub, title: str, body: str) -> HubNotice:
    """Send a notice to every current member (one read receipt each), for the bureau."""
    hub = Hub.objects.select_related("organization").get(pk=hub.pk)
    require(can_act_for_members(actor, hub))
    errors = {}
    if not title.strip():
        errors["title"] = _("必填")
    if not body.strip():
        errors["body"] = _("必填")
    if errors:
        raise ValidationFailed(_("请填写通知标题和内容"), details=errors)
    today = timezone.localdate()
    members = [
        m.organization
        for m in HubMembership.objects.select_related("organization").filter(
            Q(left_on__isnull=True) | Q(left_on__gt=today), hub=hub, joined_on__lte=today
        )
    ]
    if not members:
        raise ValidationFailed(_("本枢纽暂无成员，无法发送通知"), code="no_members")
    notice = HubNotice.objects.create(
        hub=hub, title=title.strip(), body=body.strip(), sent_by=actor
    )
    NoticeReceipt.objects.bulk_create(
        [NoticeReceipt(notice=notice, organization=org) for org in members]
    )
    audit_record(
        actor=actor,
        kind="hubs.notice_sent",
        target=notice,
        payload={"title": notice.title, "recipients": len(members)},
        on_behalf_of=on_behalf_of_bureau(hub),
        organization_id=hub.organization_id,
        region_code=hub.organization.address_code,
    )
    _member_history_events(
        actor=actor,
        kind="hubs.notice_received",
        target=notice,
        hub=hub,
        orgs=members,
        payload={"hub": hub.pk, "title": notice.title},
    )
    notify(
        recipients=organizations_accounts([m.pk for m in members]),
        kind="hubs.notice",
        title=_("%(hub)s通知：%(title)s") % {"hub": hub.name, "title": notice.title},
        body=notice.body[:500],
        url=reverse("hubs:notice-inbox"),
        actor=actor,
    )
    return notice


@transaction.atomic
def hub_notice_mark_read(*, actor: User, receipt: NoticeReceipt) -> NoticeReceipt:
    """An account of the member organisation confirms it has read the notice."""
    receipt = (
        NoticeReceipt.objects.select_for_update(of=("self",))
        .select_related("notice", "organization")
        .get(pk=receipt.pk)
    )
    if not scope_of(actor).owns(receipt.organization_id):
        raise PermissionDenied(_("只有收到通知的组织可以确认阅读"))
    if receipt.read_at is not None:
        return receipt
    receipt.read_at = timezone.now()
    receipt.read_by = actor
    receipt.save(update_fields=["read_at", "read_by"])
    audit_record(
        actor=actor,
        kind="hubs.notice_read",
        target=receipt.notice,
        payload={"receipt": receipt.pk},
        organization_id=receipt.organization_id,
        region_code=receipt.organization.address_code,
    )
    return receipt


@transaction.atomic
def escalation_raise(
    *, actor: User, hub: Hub, organization: Organization, title: str, description: str
) -> Escalation:
    """A hub reports a problem with a member to the bureau, which gets it as a task."""
    hub = Hub.objects.select_related("organization").get(pk=hub.pk)
    require(can_act_on_member(actor, hub, organization))
    errors = {}
    if not title.strip():
        errors["title"] = _("必填")
    if not description.strip():
        errors["description"] = _("必填")
    if errors:
        raise ValidationFailed(_("请填写问题和情况说明"), details=errors)
    # The bureau that recognised the hub's scope receives it; field-only hubs go to the
    # member's district bureau.
    region_code = (hub.scope_prefix or organization.address_code[:6]).ljust(12, "0")
    if len(hub.scope_prefix) > 6:
        region_code = hub.scope_prefix[:6].ljust(12, "0")
    esc = Escalation.objects.create(
        hub=hub,
        organization=organization,
        title=title.strip(),
        description=description.strip(),
        region_code=region_code,
        raised_by=actor,
    )
    record_event(
        ESCALATION_WORKFLOW,
        esc,
        move=ESCALATION_RAISED.name,
        from_state="",
        to_state=esc.state,
        actor=actor,
        on_behalf_of=on_behalf_of_bureau(hub),
    )
    audit_record(
        actor=actor,
        kind="hubs.escalation_raised",
        target=esc,
        payload={"hub": hub.pk, "title": esc.title},
        on_behalf_of=on_behalf_of_bureau(hub),
        organization_id=organization.pk,
        region_code=organization.address_code,
    )
    notify(
        recipients=bureau_accounts_for(region_code.rstrip("0") or region_code),
        kind="hubs.escalation",
        title=_("%(hub)s上报：%(title)s") % {"hub": hub.name, "title": esc.title},
        body=_("涉及组织：%(org)s") % {"org": organization.name},
        url=reverse("hubs:escalation-detail", args=[esc.pk]),
        actor=actor,
    )
    return esc


EscalationContext = MoveContext[Escalation]


def _guard_assignee_valid(ctx: EscalationContext) -> None:
    assignee = ctx.data["assignee"]
    if not may_handle_escalation(assignee, ctx.obj):
        raise ValidationFailed(
            _("承办人须是受理辖区民政局的工作人员"),
            code="assignee_not_bureau",
            details={"assignee": _("无效")},
        )
    ctx.obj.assignee = assignee
    ctx.obj.assigned_at = timezone.now()
    ctx.payload["assignee"] = assignee.pk


def _guard_resolution_given(ctx: EscalationContext) -> None:
    resolution = (ctx.data.get("resolution") or "").strip()
    if not resolution:
        raise ValidationFailed(_("请填写处理结果"), details={"resolution": _("必填")})
    esc = ctx.obj
    esc.resolution = resolution
    esc.resolved_at = timezone.now()
    if esc.assignee_id is None:
        esc.assignee = ctx.actor
    ctx.payload["resolution"] = resolution


def _notify_escalation(ctx: EscalationContext) -> None:
    esc = ctx.obj
    url = reverse("hubs:escalation-detail", args=[esc.pk])
    if ctx.move.name == "assign":
        notify(
            recipients=[ctx.data["assignee"]],
            kind="hubs.escalation",
            title=_("请办理：%(title)s") % {"title": esc.title},
            url=url,
            actor=ctx.actor,
        )
    elif esc.raised_by_id:
        notify(
            recipients=User.objects.filter(pk=esc.raised_by_id),
            kind="hubs.escalation",
            title=_("上报事项已办结：%(title)s") % {"title": esc.title},
            body=esc.resolution[:500],
            url=url,
            actor=ctx.actor,
        )


ESCALATION_WORKFLOW: Workflow[Escalation] = register(
    Workflow(
        key=ESCALATION_KEY,
        label=_("上报事项"),
        model=Escalation,
        states=EscalationState,
        moves=ESCALATION_TRANSITIONS,
        resolver=escalation_capacities,
        guards={
            "assignee_valid": _guard_assignee_valid,
            "resolution_given": _guard_resolution_given,
        },
        notify=_notify_escalation,
        audit_kind=lambda move: f"hubs.escalation_{move.target}",
        organization_id=lambda esc: esc.organization_id,
        region_code=lambda esc: esc.organization.address_code,
        refusals={BUREAU: escalation_refusal},
        lock_related=("hub", "organization"),
    ),
    extra_moves=(ESCALATION_RAISED,),
)


def escalation_assign(*, actor: User, escalation: Escalation, assignee: User) -> Escalation:
    """The receiving bureau hands the escalation to one of its staff."""
    return run_move(
        ESCALATION_WORKFLOW, escalation, "assign", actor=actor, data={"assignee": assignee}
    )


def escalation_resolve(*, actor: User, escalation: Escalation, resolution: str) -> Escalation:
    """The receiving bureau closes the escalation with what was done."""
    return run_move(
        ESCALATION_WORKFLOW,
        escalation,
        "resolve",
        actor=actor,
        note=resolution,
        data={"resolution": resolution},
    )


def escalation_history(escalation: Escalation) -> list[HistoryRow]:
    return history_for(ESCALATION_WORKFLOW, escalation)


@transaction.atomic
def hub_review_record(
    *,
    actor: User,
    hub: Hub,
    organization: Organization,
    subject: str,
    subject_id: str | int,
    opinion: str,
    comment: str = "",
    score: Decimal | None = None,
) -> FirstLineReview:
    """Record a hub's first-line review (初审) of a member's submission in another app.

    ``subject`` must be registered with ``hubs.registry.register_review_subject`` by the app
    that owns it; its callback (if any) runs in this transaction with the review row.
    """
    require(can_act_on_member(actor, hub, organization))
    definition = registry.review_subject(subject)
    if definition is None:
        raise ValidationFailed(
            _("未登记的初审事项"), code="unknown_review_subject", details={"subject": _("无效")}
        )
    if opinion not in ReviewOpinion.values:
        raise ValidationFailed(_("请选择初审意见"), details={"opinion": _("无效")})
    if opinion != ReviewOpinion.PASS and not comment.strip():
        raise ValidationFailed(_("退回或提请关注时须说明理由"), details={"comment": _("必填")})
    top = Decimal(policy_for(organization.address_code)["review_score_max"])
    if score is not None and not (Decimal(0) <= score <= top):
        raise ValidationFailed(
            _("评分须在 0 至 %(top)s 之间") % {"top": top},
            code="review_score_out_of_range",
            details={"score": _("无效")},
        )
    known = registry.subject_items(subject, organization)
    if known is not None and str(subject_id) not in {pk for pk, _label in known}:
        raise ValidationFailed(
            _("“%(org)s”没有这项待初审的材料") % {"org": organization.name},
            code="review_subject_not_found",
            details={"subject_id": _("无效")},
        )
    review = FirstLineReview.objects.create(
        hub=hub,
        organization=organization,
        subject=subject,
        subject_id=str(subject_id),
        opinion=opinion,
        comment=comment.strip(),
        score=score,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        kind="hubs.first_line_review",
        target=review,
        payload={
            "subject": subject,
            "subject_id": str(subject_id),
            "opinion": opinion,
            "score": str(score) if score is not None else None,
        },
        on_behalf_of=on_behalf_of_bureau(hub),
        organization_id=organization.pk,
        region_code=organization.address_code,
    )
    if definition.on_review is not None:
        definition.on_review(review)
    return review
