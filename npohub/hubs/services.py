"""Hub services: recognition, rosters, staff access, federations, platforms, pairing, and the
actions hubs take for the bureau (notices, escalations, first-line reviews).

Delegated supervision is kept as data in ``orgs.OrganizationAccess``: every change to a roster,
to a hub's staff or to a recognition recomputes the ``hub_member`` grants of the hub's staff
(:func:`_sync_hub_access`) in the same transaction, so the scoped selectors
(``organization_visible_to``) see the change in the same request cycle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import BUREAU_ROLES, Role, User
from npohub.core.audit import OnBehalfOf, actor_label_for, audit_bulk, audit_record
from npohub.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from npohub.core.models import AuditEvent
from npohub.core.permissions import require
from npohub.notifications.services import notify
from npohub.orgs.access import access_end, access_grant, access_sync
from npohub.orgs.models import (
    AccessReason,
    Category,
    Kind,
    Organization,
    OrganizationAccess,
    Person,
    Status,
)
from npohub.regions.models import Level, Region

from . import registry
from .models import (
    PLATFORM_REGION_LEVEL,
    STREET_LISTS,
    Escalation,
    EscalationState,
    ExternalMemberKind,
    Federation,
    FederationExternalMember,
    FirstLineReview,
    Hub,
    HubKind,
    HubMembership,
    HubNotice,
    HubStatus,
    ListStatus,
    MemberRole,
    NoticeReceipt,
    Pairing,
    PlatformHonour,
    PlatformLevel,
    PlatformOffering,
    PlatformVisit,
    ReviewOpinion,
    ServicePlatform,
    StreetListItem,
)
from .permissions import (
    can_act_for_members,
    can_act_on_member,
    can_govern_hub,
    can_keep_roster,
    can_keep_street_lists,
    can_manage_federation,
    can_manage_pairing,
    can_manage_platform,
    can_recognise_hub,
    can_record_platform_activity,
    can_work_escalation,
)
from .policy import policy_for

ONE_DAY = dt.timedelta(days=1)


def on_behalf_of_bureau(hub: Hub) -> OnBehalfOf:
    """How a hub's action for the bureau is labelled in the audit trail."""
    return OnBehalfOf(label=_("%(hub)s（受民政局委托）") % {"hub": hub.name}, ref=f"hub:{hub.pk}")


def _actor_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _org_users(org_ids: Iterable[int]) -> Any:
    """Active accounts of the organisations (OWN grants)."""
    return User.objects.filter(
        is_active=True,
        organization_grants__organization_id__in=list(org_ids),
        organization_grants__reason=AccessReason.OWN,
    ).distinct()


def _bureau_users(code: str) -> Any:
    """Bureau accounts whose region contains ``code``."""
    prefixes = [code[:n] for n in (2, 4, 6, 9, 12) if n <= len(code)]
    return User.objects.filter(is_active=True, role__in=BUREAU_ROLES, scope_prefix__in=prefixes)


# --- delegated access ----------------------------------------------------------------------------


def _min_date(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    """The earlier end date; None means open-ended."""
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _sync_hub_access(user_ids: Iterable[int]) -> dict[str, int]:
    """Recompute the ``hub_member`` grants of these users from the rosters, recognitions and
    their OWN grants over hub organisations: one row per (user, member) covering the union of
    the periods in which the user was staff of a hub the organisation belonged to, cut at
    revocations (a revoked hub's grants end the day before revocation). A pair whose periods
    are all empty loses its row; grants for organisations never on the user's hubs' rosters
    are not touched. Returns counts of created/updated/deleted rows."""
    ids = set(user_ids)
    if not ids:
        return {"created": 0, "updated": 0, "deleted": 0}
    own = list(
        OrganizationAccess.objects.filter(
            user_id__in=ids, reason=AccessReason.OWN, user__role=Role.HUB_STAFF
        ).values_list("user_id", "organization_id", "valid_from", "valid_until")
    )
    hubs = list(
        Hub.objects.filter(organization_id__in={o for _u, o, _f, _t in own}).values_list(
            "pk", "organization_id", "valid_from", "valid_until", "status", "revoked_on"
        )
    )
    members: dict[int, list[tuple[int, dt.date, dt.date | None]]] = {}
    for hub_id, org_id, joined, left in HubMembership.objects.filter(
        hub_id__in=[h[0] for h in hubs]
    ).values_list("hub_id", "organization_id", "joined_on", "left_on"):
        members.setdefault(hub_id, []).append((org_id, joined, left))
    hubs_by_org: dict[int, list[tuple[Any, ...]]] = {}
    for hub in hubs:
        hubs_by_org.setdefault(hub[1], []).append(hub)

    desired: dict[tuple[int, int], tuple[dt.date, dt.date | None]] = {}
    # Pairs the rosters speak for; grants outside it (made by hand or by other apps) are left.
    universe: set[tuple[int, int]] = set()
    for user_id, hub_org_id, grant_from, grant_until in own:
        for hub_id, _org, hub_from, hub_until, status, revoked_on in hubs_by_org.get(
            hub_org_id, []
        ):
            hub_end = hub_until
            if status == HubStatus.REVOKED:
                hub_end = _min_date(hub_end, (revoked_on or timezone.localdate()) - ONE_DAY)
            for member_id, joined, left in members.get(hub_id, []):
                if member_id == hub_org_id:
                    continue
                universe.add((user_id, member_id))
                start = max(d for d in (grant_from, hub_from, joined) if d is not None)
                end = _min_date(_min_date(grant_until, hub_end), left - ONE_DAY if left else None)
                if end is not None and end < start:
                    continue
                key = (user_id, member_id)
                if key in desired:
                    old_start, old_end = desired[key]
                    start = min(start, old_start)
                    end = None if old_end is None or end is None else max(end, old_end)
                desired[key] = (start, end)

    return access_sync(
        reason=AccessReason.HUB_MEMBER,
        user_ids=ids,
        desired=desired,
        universe=universe,
        cause="hub_rosters",
    )


def _staff_ids(hub: Hub) -> set[int]:
    return set(
        OrganizationAccess.objects.filter(
            organization_id=hub.organization_id,
            reason=AccessReason.OWN,
            user__role=Role.HUB_STAFF,
        ).values_list("user_id", flat=True)
    )


def hub_access_sync(*, hub: Hub | None = None, users: Iterable[Any] = ()) -> dict[str, int]:
    """Recompute delegated access for the staff of ``hub`` and/or the given users.

    Call it after creating hub-staff accounts outside :func:`hub_staff_add` (the accounts app,
    imports), or from the ``sync_hub_access`` command after restoring data.
    """
    ids = {u.pk for u in users}
    if hub is not None:
        ids |= _staff_ids(hub)
    with transaction.atomic():
        return _sync_hub_access(ids)


# --- recognition ---------------------------------------------------------------------------------


@dataclass
class RecognitionInput:
    kind: str
    decision_number: str
    decision_date: dt.date
    valid_from: dt.date
    valid_until: dt.date | None = None
    region: Region | None = None
    category: Category | None = None
    scope_note: str = ""
    decision_text: str = ""


def _check_recognition(org: Organization, data: RecognitionInput) -> None:
    policy = policy_for(org.address_code)
    if org.kind not in policy["hub_organization_kinds"]:
        raise ValidationFailed(
            _("只有已登记的社会组织才能认定为枢纽型社会组织"),
            code="hub_not_registered",
            details={"organization": _("无效")},
        )
    if org.status != Status.ACTIVE:
        raise ValidationFailed(
            _("只有状态正常的社会组织才能认定为枢纽型社会组织（当前：%(status)s）")
            % {"status": org.get_status_display()},
            code="hub_organization_not_active",
            details={"organization": _("无效")},
        )
    errors: dict[str, str] = {}
    if data.kind not in HubKind.values:
        errors["kind"] = _("无效")
    if not data.decision_number.strip():
        errors["decision_number"] = _("必填")
    if data.valid_until is not None and data.valid_until < data.valid_from:
        errors["valid_until"] = _("有效期至不能早于有效期起")
    if data.region is None and data.category is None:
        errors["region"] = _("请至少指定覆盖区域或覆盖领域")
    if errors:
        raise ValidationFailed(_("请检查认定信息"), details=errors)


def _create_hub(*, actor: Any, org: Organization, data: RecognitionInput) -> Hub:
    if Hub.objects.filter(organization=org, kind=data.kind, status=HubStatus.RECOGNISED).exists():
        raise Conflict(
            _("该组织已被认定为%(kind)s枢纽型社会组织") % {"kind": HubKind(data.kind).label},
            code="hub_already_recognised",
        )
    try:
        with transaction.atomic():
            return Hub.objects.create(
                organization=org,
                name=org.name,
                kind=data.kind,
                region=data.region,
                scope_prefix=data.region.prefix if data.region is not None else "",
                category=data.category,
                scope_note=data.scope_note,
                decision_number=data.decision_number.strip(),
                decision_date=data.decision_date,
                decision_text=data.decision_text,
                valid_from=data.valid_from,
                valid_until=data.valid_until,
                recognised_by=_actor_or_none(actor),
            )
    except IntegrityError as exc:
        raise Conflict(_("该组织已被认定为同类枢纽"), code="hub_already_recognised") from exc


@transaction.atomic
def hub_recognize(*, actor: Any, organization: Organization, data: RecognitionInput) -> Hub:
    """The bureau recognises a registered organisation as a hub of ``data.kind`` for a scope."""
    org = (
        Organization.objects.select_for_update(of=("self",))
        .select_related("authority_region")
        .get(pk=organization.pk)
    )
    region_code = data.region.code if data.region is not None else ""
    require(can_recognise_hub(actor, org, region_code=region_code))
    _check_recognition(org, data)
    hub = _create_hub(actor=actor, org=org, data=data)
    audit_record(
        actor=actor,
        kind="hubs.recognised",
        target=hub,
        payload={
            "kind": hub.kind,
            "decision_number": hub.decision_number,
            "decision_date": hub.decision_date.isoformat(),
            "valid_from": hub.valid_from.isoformat(),
            "valid_until": hub.valid_until.isoformat() if hub.valid_until else None,
            "scope_prefix": hub.scope_prefix,
            "category": data.category.code if data.category else "",
        },
        organization_id=org.pk,
        region_code=org.address_code,
    )
    _sync_hub_access(_staff_ids(hub))
    notify(
        recipients=_org_users([org.pk]),
        kind="hubs.recognised",
        title=_("“%(name)s”已被认定为%(kind)s枢纽型社会组织")
        % {"name": org.name, "kind": hub.get_kind_display()},
        body=_("认定文号：%(number)s") % {"number": hub.decision_number},
        url=reverse("hubs:hub-detail", args=[hub.pk]),
        actor=_actor_or_none(actor),
    )
    return hub


@transaction.atomic
def hub_revoke(*, actor: Any, hub: Hub, reason: str) -> Hub:
    """The bureau revokes a recognition: effective today, the hub's staff lose access to every
    member at once (their grants end yesterday)."""
    hub = Hub.objects.select_for_update(of=("self",)).select_related("organization").get(pk=hub.pk)
    require(can_govern_hub(actor, hub))
    if hub.status == HubStatus.REVOKED:
        raise InvalidTransition(_("该枢纽认定已撤销"), code="hub_already_revoked")
    if not reason.strip():
        raise ValidationFailed(_("请填写撤销原因"), details={"reason": _("必填")})
    today = timezone.localdate()
    hub.status = HubStatus.REVOKED
    hub.revoked_on = today
    hub.revoked_reason = reason.strip()
    hub.revoked_by = _actor_or_none(actor)
    hub.save(update_fields=["status", "revoked_on", "revoked_reason", "revoked_by", "updated_at"])
    staff = _staff_ids(hub)
    counts = _sync_hub_access(staff)
    audit_record(
        actor=actor,
        kind="hubs.revoked",
        target=hub,
        payload={"reason": hub.revoked_reason, "revoked_on": today.isoformat(), "grants": counts},
        organization_id=hub.organization_id,
        region_code=hub.organization.address_code,
    )
    notify(
        recipients=[*User.objects.filter(pk__in=staff), *_org_users([hub.organization_id])],
        kind="hubs.recognised",
        title=_("“%(name)s”的枢纽认定已撤销") % {"name": hub.name},
        body=hub.revoked_reason,
        url=reverse("hubs:hub-detail", args=[hub.pk]),
        actor=_actor_or_none(actor),
    )
    return hub


# --- roster --------------------------------------------------------------------------------------


@dataclass
class MembershipInput:
    joined_on: dt.date
    role: str = MemberRole.MEMBER
    agreement_signed_on: dt.date | None = None
    agreement_terms: str = ""


def _member_event(
    *, actor: Any, kind: str, membership: HubMembership, payload: dict[str, Any]
) -> AuditEvent:
    """Roster events are recorded against the member, so they show in its history."""
    org = membership.organization
    return audit_record(
        actor=actor,
        kind=kind,
        target=membership,
        payload={"hub": membership.hub_id, "hub_name": membership.hub.name, **payload},
        organization_id=org.pk,
        region_code=org.address_code,
    )


def _lock_membership(membership: HubMembership) -> HubMembership:
    return (
        HubMembership.objects.select_for_update(of=("self",))
        .select_related("hub", "hub__organization", "organization")
        .get(pk=membership.pk)
    )


@transaction.atomic
def hub_member_add(
    *, actor: Any, hub: Hub, organization: Organization, data: MembershipInput
) -> HubMembership:
    """Put an organisation on the hub's roster from ``data.joined_on``."""
    hub = Hub.objects.select_for_update(of=("self",)).select_related("organization").get(pk=hub.pk)
    require(can_keep_roster(actor, hub))
    org = organization
    policy = policy_for(org.address_code)
    if org.kind not in policy["member_organization_kinds"]:
        raise ValidationFailed(
            _("该类组织不能加入枢纽"),
            code="member_kind_not_allowed",
            details={"organization": _("无效")},
        )
    if org.is_closed:
        raise ValidationFailed(
            _("已注销或撤销的组织不能加入枢纽"),
            code="member_closed",
            details={"organization": _("无效")},
        )
    if org.pk == hub.organization_id:
        raise ValidationFailed(
            _("枢纽组织不能加入自己的成员名册"), details={"organization": _("无效")}
        )
    if hub.scope_prefix and not org.address_code.startswith(hub.scope_prefix):
        raise ValidationFailed(
            _("该组织不在枢纽的覆盖区域内"),
            code="member_outside_scope",
            details={"organization": _("无效")},
        )
    if data.role not in MemberRole.values:
        raise ValidationFailed(_("请检查成员信息"), details={"role": _("无效")})
    if data.joined_on < hub.valid_from:
        raise ValidationFailed(
            _("加入日期不能早于枢纽认定生效日期（%(date)s）")
            % {"date": hub.valid_from.isoformat()},
            details={"joined_on": _("无效")},
        )
    if hub.memberships.filter(organization=org, left_on__isnull=True).exists():
        raise Conflict(_("该组织已是本枢纽成员"), code="already_member")
    last = hub.memberships.filter(organization=org).order_by("-left_on").first()
    if last is not None and last.left_on is not None and data.joined_on < last.left_on:
        raise ValidationFailed(
            _("重新加入日期不能早于上次退出日期（%(date)s）") % {"date": last.left_on.isoformat()},
            details={"joined_on": _("无效")},
        )
    membership = HubMembership.objects.create(
        hub=hub,
        organization=org,
        role=data.role,
        joined_on=data.joined_on,
        agreement_signed_on=data.agreement_signed_on,
        agreement_terms=data.agreement_terms,
        created_by=_actor_or_none(actor),
    )
    _member_event(
        actor=actor,
        kind="hubs.member_joined",
        membership=membership,
        payload={"joined_on": data.joined_on.isoformat(), "role": data.role},
    )
    _sync_hub_access(_staff_ids(hub))
    notify(
        recipients=_org_users([org.pk]),
        kind="hubs.roster",
        title=_("已加入“%(hub)s”成员名册") % {"hub": hub.name},
        url=reverse("hubs:hub-detail", args=[hub.pk]),
        actor=_actor_or_none(actor),
    )
    return membership


@transaction.atomic
def hub_member_leave(
    *, actor: Any, membership: HubMembership, left_on: dt.date, reason: str = ""
) -> HubMembership:
    """End a stay: ``left_on`` is the first day the organisation is no longer a member."""
    membership = _lock_membership(membership)
    require(can_govern_hub(actor, membership.hub))
    if membership.left_on is not None:
        raise InvalidTransition(_("该组织已退出"), code="already_left")
    if left_on < membership.joined_on:
        raise ValidationFailed(
            _("退出日期不能早于加入日期（%(date)s）") % {"date": membership.joined_on.isoformat()},
            details={"left_on": _("无效")},
        )
    membership.left_on = left_on
    membership.leave_reason = reason.strip()
    membership.save(update_fields=["left_on", "leave_reason", "updated_at"])
    _member_event(
        actor=actor,
        kind="hubs.member_left",
        membership=membership,
        payload={"left_on": left_on.isoformat(), "reason": membership.leave_reason},
    )
    _sync_hub_access(_staff_ids(membership.hub))
    return membership


@transaction.atomic
def hub_member_sign_agreement(
    *, actor: Any, membership: HubMembership, signed_on: dt.date, terms: str
) -> HubMembership:
    """Record the supervision agreement (监管协议) between the hub and a member."""
    membership = _lock_membership(membership)
    require(can_keep_roster(actor, membership.hub))
    if membership.left_on is not None:
        raise InvalidTransition(_("该组织已退出，不能签订协议"), code="already_left")
    if not terms.strip():
        raise ValidationFailed(_("请填写协议条款"), details={"terms": _("必填")})
    membership.agreement_signed_on = signed_on
    membership.agreement_terms = terms.strip()
    membership.save(update_fields=["agreement_signed_on", "agreement_terms", "updated_at"])
    _member_event(
        actor=actor,
        kind="hubs.agreement_signed",
        membership=membership,
        payload={"signed_on": signed_on.isoformat()},
    )
    return membership


# --- staff ---------------------------------------------------------------------------------------


@transaction.atomic
def hub_staff_add(*, actor: Any, hub: Hub, user: Any, valid_from: dt.date | None = None) -> Any:
    """Give a hub-staff account its hub organisation (OWN grant) and the hub's members."""
    hub = Hub.objects.select_related("organization").get(pk=hub.pk)
    require(can_keep_roster(actor, hub))
    if user.role != Role.HUB_STAFF:
        raise ValidationFailed(
            _("只有“枢纽型社会组织/联合会工作人员”角色的账号可以设为枢纽工作人员"),
            code="not_hub_staff_role",
            details={"user": _("无效")},
        )
    start = valid_from or timezone.localdate()
    grant, opened = access_grant(
        actor=actor,
        user=user,
        organization=hub.organization,
        reason=AccessReason.OWN,
        valid_from=start,
    )
    if not opened:
        raise Conflict(_("该账号已是本枢纽工作人员"), code="already_staff")
    counts = _sync_hub_access({user.pk})
    audit_record(
        actor=actor,
        kind="hubs.staff_added",
        target=hub,
        payload={"user": user.pk, "username": user.get_username(), "grants": counts},
        organization_id=hub.organization_id,
        region_code=hub.organization.address_code,
    )
    return grant


@transaction.atomic
def hub_staff_remove(*, actor: Any, hub: Hub, user: Any) -> None:
    """End a staff account's OWN grant (yesterday) and, with it, its delegated access."""
    hub = Hub.objects.select_related("organization").get(pk=hub.pk)
    require(can_govern_hub(actor, hub))
    grant = access_end(
        actor=actor, user=user, organization=hub.organization, reason=AccessReason.OWN
    )
    if grant is None:
        raise InvalidTransition(_("该账号不是本枢纽工作人员"), code="not_staff")
    counts = _sync_hub_access({user.pk})
    audit_record(
        actor=actor,
        kind="hubs.staff_removed",
        target=hub,
        payload={"user": user.pk, "username": user.get_username(), "grants": counts},
        organization_id=hub.organization_id,
        region_code=hub.organization.address_code,
    )


# --- actions for the bureau ----------------------------------------------------------------------


def _member_history_events(
    *,
    actor: Any,
    kind: str,
    target: Any,
    hub: Hub,
    orgs: list[Organization],
    payload: dict[str, Any],
) -> None:
    """One audit row per member so a bulk action shows in every member's history."""
    behalf = on_behalf_of_bureau(hub)
    now = timezone.now()
    user = _actor_or_none(actor)
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
def hub_notice_send(*, actor: Any, hub: Hub, title: str, body: str) -> HubNotice:
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
        hub=hub, title=title.strip(), body=body.strip(), sent_by=_actor_or_none(actor)
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
        recipients=_org_users([m.pk for m in members]),
        kind="hubs.notice",
        title=_("%(hub)s通知：%(title)s") % {"hub": hub.name, "title": notice.title},
        body=notice.body[:500],
        url=reverse("hubs:notice-inbox"),
        actor=_actor_or_none(actor),
    )
    return notice


@transaction.atomic
def hub_notice_mark_read(*, actor: Any, receipt: NoticeReceipt) -> NoticeReceipt:
    """An account of the member organisation confirms it has read the notice."""
    receipt = (
        NoticeReceipt.objects.select_for_update(of=("self",))
        .select_related("notice", "organization")
        .get(pk=receipt.pk)
    )
    owns = OrganizationAccess.objects.filter(
        user_id=actor.pk, organization_id=receipt.organization_id, reason=AccessReason.OWN
    ).exists()
    if not owns:
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
    *, actor: Any, hub: Hub, organization: Organization, title: str, description: str
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
        raised_by=_actor_or_none(actor),
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
        recipients=_bureau_users(region_code.rstrip("0") or region_code),
        kind="hubs.escalation",
        title=_("%(hub)s上报：%(title)s") % {"hub": hub.name, "title": esc.title},
        body=_("涉及组织：%(org)s") % {"org": organization.name},
        url=reverse("hubs:escalation-detail", args=[esc.pk]),
        actor=_actor_or_none(actor),
    )
    return esc


@transaction.atomic
def escalation_assign(*, actor: Any, escalation: Escalation, assignee: Any) -> Escalation:
    esc = (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("hub", "organization")
        .get(pk=escalation.pk)
    )
    require(can_work_escalation(actor, esc))
    if not (
        assignee.is_active
        and (
            assignee.is_superuser
            or (assignee.role in BUREAU_ROLES and esc.region_code.startswith(assignee.scope_prefix))
        )
    ):
        raise ValidationFailed(
            _("承办人须是受理辖区民政局的工作人员"),
            code="assignee_not_bureau",
            details={"assignee": _("无效")},
        )
    esc.assignee = assignee
    esc.assigned_at = timezone.now()
    esc.state = EscalationState.ASSIGNED
    esc.save(update_fields=["assignee", "assigned_at", "state", "updated_at"])
    audit_record(
        actor=actor,
        kind="hubs.escalation_assigned",
        target=esc,
        payload={"assignee": assignee.pk},
        organization_id=esc.organization_id,
        region_code=esc.organization.address_code,
    )
    notify(
        recipients=[assignee],
        kind="hubs.escalation",
        title=_("请办理：%(title)s") % {"title": esc.title},
        url=reverse("hubs:escalation-detail", args=[esc.pk]),
        actor=_actor_or_none(actor),
    )
    return esc


@transaction.atomic
def escalation_resolve(*, actor: Any, escalation: Escalation, resolution: str) -> Escalation:
    esc = (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("hub", "organization")
        .get(pk=escalation.pk)
    )
    require(can_work_escalation(actor, esc))
    if not resolution.strip():
        raise ValidationFailed(_("请填写处理结果"), details={"resolution": _("必填")})
    esc.state = EscalationState.RESOLVED
    esc.resolution = resolution.strip()
    esc.resolved_at = timezone.now()
    if esc.assignee_id is None:
        esc.assignee = _actor_or_none(actor)
    esc.save(update_fields=["state", "resolution", "resolved_at", "assignee", "updated_at"])
    audit_record(
        actor=actor,
        kind="hubs.escalation_resolved",
        target=esc,
        payload={"resolution": esc.resolution},
        organization_id=esc.organization_id,
        region_code=esc.organization.address_code,
    )
    if esc.raised_by_id:
        notify(
            recipients=User.objects.filter(pk=esc.raised_by_id),
            kind="hubs.escalation",
            title=_("上报事项已办结：%(title)s") % {"title": esc.title},
            body=esc.resolution[:500],
            url=reverse("hubs:escalation-detail", args=[esc.pk]),
            actor=_actor_or_none(actor),
        )
    return esc


@transaction.atomic
def hub_review_record(
    *,
    actor: Any,
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
        reviewed_by=_actor_or_none(actor),
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


# --- service platforms ---------------------------------------------------------------------------


@dataclass
class PlatformInput:
    name: str
    level: str
    region: Region
    operator: Hub
    opened_on: dt.date
    offerings: list[str]
    address: str = ""
    area_sqm: int | None = None


@transaction.atomic
def platform_create(*, actor: Any, data: PlatformInput) -> ServicePlatform:
    require(can_manage_platform(actor, data.region.code))
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = _("必填")
    if data.level not in PlatformLevel.values:
        errors["level"] = _("无效")
    elif data.region.level != PLATFORM_REGION_LEVEL[PlatformLevel(data.level)]:
        errors["region"] = _("区划级别与平台层级不一致")
    if data.operator.status != HubStatus.RECOGNISED:
        errors["operator"] = _("运营枢纽的认定已撤销")
    known = dict(PlatformOffering.objects.filter(code__in=data.offerings).values_list("code", "pk"))
    if set(data.offerings) - set(known):
        errors["offerings"] = _("无效")
    if errors:
        raise ValidationFailed(_("请检查平台信息"), details=errors)
    platform = ServicePlatform.objects.create(
        name=data.name.strip(),
        level=data.level,
        region=data.region,
        region_code=data.region.code,
        operator=data.operator,
        opened_on=data.opened_on,
        address=data.address,
        area_sqm=data.area_sqm,
    )
    platform.offerings.set(list(known.values()))
    audit_record(
        actor=actor,
        kind="hubs.platform_created",
        target=platform,
        payload={"level": data.level, "region": data.region.code, "operator": data.operator.pk},
        organization_id=data.operator.organization_id,
        region_code=data.region.code,
    )
    return platform


@transaction.atomic
def platform_record_visit(
    *,
    actor: Any,
    platform: ServicePlatform,
    visited_on: dt.date,
    visitor: str,
    headcount: int,
    purpose: str = "",
) -> PlatformVisit:
    require(can_record_platform_activity(actor, platform))
    if not visitor.strip() or headcount < 1:
        raise ValidationFailed(
            _("请填写来访单位和人数"),
            details={"visitor": _("必填")} if not visitor.strip() else {"headcount": _("无效")},
        )
    visit = PlatformVisit.objects.create(
        platform=platform,
        visited_on=visited_on,
        visitor=visitor.strip(),
        headcount=headcount,
        purpose=purpose.strip(),
    )
    audit_record(
        actor=actor,
        kind="hubs.platform_visit",
        target=visit,
        payload={"platform": platform.pk, "visitor": visit.visitor, "headcount": headcount},
        region_code=platform.region_code,
    )
    return visit


@transaction.atomic
def platform_record_honour(
    *, actor: Any, platform: ServicePlatform, title: str, awarded_by: str, awarded_on: dt.date
) -> PlatformHonour:
    require(can_record_platform_activity(actor, platform))
    if not title.strip() or not awarded_by.strip():
        raise ValidationFailed(
            _("请填写荣誉名称和授予单位"),
            details={
                k: _("必填")
                for k, v in (("title", title), ("awarded_by", awarded_by))
                if not v.strip()
            },
        )
    honour = PlatformHonour.objects.create(
        platform=platform, title=title.strip(), awarded_by=awarded_by.strip(), awarded_on=awarded_on
    )
    audit_record(
        actor=actor,
        kind="hubs.platform_honour",
        target=honour,
        payload={"platform": platform.pk, "title": honour.title},
        region_code=platform.region_code,
    )
    return honour


# --- pairing -------------------------------------------------------------------------------------


@transaction.atomic
def pairing_create(
    *,
    actor: Any,
    senior: Organization,
    community_group: Organization,
    topic: str,
    started_on: dt.date,
) -> Pairing:
    """Pair a city/district-level organisation with a community group (结对共建)."""
    require(can_manage_pairing(actor, community_group))
    policy = policy_for(community_group.address_code)
    errors: dict[str, str] = {}
    if not senior.is_registered or senior.management_level not in policy["pairing_senior_levels"]:
        errors["senior"] = _("须是市、区县管的已登记社会组织")
    elif senior.is_closed:
        errors["senior"] = _("已注销或撤销")
    if community_group.kind != Kind.COMMUNITY_GROUP:
        errors["community_group"] = _("须是备案社区社会组织")
    elif community_group.is_closed:
        errors["community_group"] = _("已注销或撤销")
    if not topic.strip():
        errors["topic"] = _("必填")
    if errors:
        raise ValidationFailed(_("请检查结对双方"), details=errors)
    if Pairing.objects.filter(
        senior=senior, community_group=community_group, ended_on__isnull=True
    ).exists():
        raise Conflict(_("双方已在结对共建中"), code="already_paired")
    pairing = Pairing.objects.create(
        senior=senior,
        community_group=community_group,
        topic=topic.strip(),
        started_on=started_on,
        created_by=_actor_or_none(actor),
    )
    audit_record(
        actor=actor,
        kind="hubs.pairing_started",
        target=pairing,
        payload={"senior": senior.pk, "senior_name": senior.name, "topic": pairing.topic},
        organization_id=community_group.pk,
        region_code=community_group.address_code,
    )
    return pairing


@transaction.atomic
def pairing_close(*, actor: Any, pairing: Pairing, ended_on: dt.date, outcome: str) -> Pairing:
    pairing = (
        Pairing.objects.select_for_update(of=("self",))
        .select_related("community_group", "senior")
        .get(pk=pairing.pk)
    )
    require(can_manage_pairing(actor, pairing.community_group))
    if pairing.ended_on is not None:
        raise InvalidTransition(_("该结对已结束"), code="pairing_ended")
    if ended_on < pairing.started_on:
        raise ValidationFailed(_("结束日期不能早于开始日期"), details={"ended_on": _("无效")})
    if not outcome.strip():
        raise ValidationFailed(_("请填写成效"), details={"outcome": _("必填")})
    pairing.ended_on = ended_on
    pairing.outcome = outcome.strip()
    pairing.save(update_fields=["ended_on", "outcome", "updated_at"])
    audit_record(
        actor=actor,
        kind="hubs.pairing_closed",
        target=pairing,
        payload={"ended_on": ended_on.isoformat(), "outcome": pairing.outcome},
        organization_id=pairing.community_group_id,
        region_code=pairing.community_group.address_code,
    )
    return pairing


# --- street federations --------------------------------------------------------------------------


@dataclass
class FederationInput:
    established_on: dt.date
    decision_number: str
    chair_name: str = ""
    chair_title: str = ""
    chaired_by_street_head: bool = False


def _chair_person(name: str) -> Person | None:
    name = name.strip()
    if not name:
        return None
    return Person.objects.create(name=name)


@transaction.atomic
def federation_create(
    *, actor: Any, street: Region, organization: Organization, data: FederationInput
) -> Federation:
    """Set up the street's federation: recognise its organisation as the street's 街镇级 hub
    and record the chair. One live federation per street."""
    require(can_manage_federation(actor, street.code))
    if street.level != Level.TOWNSHIP:
        raise ValidationFailed(_("请选择街道或乡镇"), details={"street": _("不是乡级区划")})
    policy = policy_for(street.code)
    if organization.kind not in policy["federation_organization_kinds"]:
        raise ValidationFailed(
            _("该类组织不能作为联合会"),
            code="federation_kind_not_allowed",
            details={"organization": _("无效")},
        )
    if organization.status != Status.ACTIVE:
        raise ValidationFailed(
            _("只有状态正常的组织才能作为联合会"), details={"organization": _("无效")}
        )
    if not organization.address_code.startswith(street.prefix):
        raise ValidationFailed(
            _("联合会须是该街道内的组织"),
            code="federation_outside_street",
            details={"organization": _("不在该街道")},
        )
    if data.chaired_by_street_head and not data.chair_name.strip():
        raise ValidationFailed(
            _("由街道负责人任会长时须填写会长姓名"), details={"chair_name": _("必填")}
        )
    Region.objects.select_for_update().filter(pk=street.pk).first()  # serialise per street
    if Federation.objects.filter(street=street, dissolved_on__isnull=True).exists():
        raise Conflict(
            _("%(street)s已有联合会，每个街道只能有一个") % {"street": street.name},
            code="federation_exists",
        )
    recognition = RecognitionInput(
        kind=HubKind.STREET,
        decision_number=data.decision_number,
        decision_date=data.established_on,
        valid_from=data.established_on,
        region=street,
        scope_note=_("%(street)s社区社会组织") % {"street": street.name},
    )
    if not recognition.decision_number.strip():
        raise ValidationFailed(_("请检查认定信息"), details={"decision_number": _("必填")})
    hub = _create_hub(actor=actor, org=organization, data=recognition)
    try:
        with transaction.atomic():
            fed = Federation.objects.create(
                street=street,
                street_code=street.code,
                name=organization.name,
                hub=hub,
                organization=organization,
                established_on=data.established_on,
                chair=_chair_person(data.chair_name),
                chair_title=data.chair_title.strip(),
                chaired_by_street_head=data.chaired_by_street_head,
            )
    except IntegrityError as exc:
        raise Conflict(_("该街道已有联合会"), code="federation_exists") from exc
    audit_record(
        actor=actor,
        kind="hubs.federation_created",
        target=fed,
        payload={
            "street": street.code,
            "hub": hub.pk,
            "chair": data.chair_name.strip(),
            "chaired_by_street_head": data.chaired_by_street_head,
        },
        organization_id=organization.pk,
        region_code=street.code,
    )
    _sync_hub_access(_staff_ids(hub))
    return fed


@transaction.atomic
def federation_set_chair(
    *,
    actor: Any,
    federation: Federation,
    chair_name: str,
    chair_title: str,
    chaired_by_street_head: bool,
) -> Federation:
    fed = (
        Federation.objects.select_for_update(of=("self",))
        .select_related("chair")
        .get(pk=federation.pk)
    )
    require(can_manage_federation(actor, fed.street_code))
    if not chair_name.strip():
        raise ValidationFailed(_("请填写会长姓名"), details={"chair_name": _("必填")})
    before = {
        "chair": fed.chair.name if fed.chair else "",
        "chaired_by_street_head": fed.chaired_by_street_head,
    }
    if fed.chair is None or fed.chair.name != chair_name.strip():
        fed.chair = _chair_person(chair_name)
    fed.chair_title = chair_title.strip()
    fed.chaired_by_street_head = chaired_by_street_head
    fed.save(update_fields=["chair", "chair_title", "chaired_by_street_head", "updated_at"])
    audit_record(
        actor=actor,
        kind="hubs.federation_chair",
        target=fed,
        payload={
            "before": before,
            "chair": chair_name.strip(),
            "chaired_by_street_head": chaired_by_street_head,
        },
        organization_id=fed.organization_id,
        region_code=fed.street_code,
    )
    return fed


@transaction.atomic
def federation_external_member_add(
    *,
    actor: Any,
    federation: Federation,
    name: str,
    kind: str,
    joined_on: dt.date,
    credit_code: str = "",
    contact: str = "",
) -> FederationExternalMember:
    """An enterprise or public institution joins the federation as a group member."""
    require(can_manage_federation(actor, federation.street_code))
    errors = {}
    if not name.strip():
        errors["name"] = _("必填")
    if kind not in ExternalMemberKind.values:
        errors["kind"] = _("无效")
    if errors:
        raise ValidationFailed(_("请检查单位会员信息"), details=errors)
    if federation.external_members.filter(name=name.strip(), left_on__isnull=True).exists():
        raise Conflict(_("该单位已是联合会会员"), code="already_member")
    member = FederationExternalMember.objects.create(
        federation=federation,
        name=name.strip(),
        kind=kind,
        credit_code=credit_code.strip(),
        contact=contact.strip(),
        joined_on=joined_on,
    )
    audit_record(
        actor=actor,
        kind="hubs.federation_external_member",
        target=member,
        payload={"federation": federation.pk, "name": member.name, "kind": kind},
        organization_id=federation.organization_id,
        region_code=federation.street_code,
    )
    return member


@transaction.atomic
def federation_external_member_leave(
    *, actor: Any, member: FederationExternalMember, left_on: dt.date
) -> FederationExternalMember:
    member = FederationExternalMember.objects.select_related("federation").get(pk=member.pk)
    require(can_manage_federation(actor, member.federation.street_code))
    if member.left_on is not None:
        raise InvalidTransition(_("该单位已退出"), code="already_left")
    if left_on < member.joined_on:
        raise ValidationFailed(_("退出日期不能早于加入日期"), details={"left_on": _("无效")})
    member.left_on = left_on
    member.save(update_fields=["left_on", "updated_at"])
    audit_record(
        actor=actor,
        kind="hubs.federation_external_member_left",
        target=member,
        payload={"left_on": left_on.isoformat()},
        organization_id=member.federation.organization_id,
        region_code=member.federation.street_code,
    )
    return member


# --- the street's three lists --------------------------------------------------------------------


@transaction.atomic
def street_list_item_create(
    *,
    actor: Any,
    list_kind: str,
    street: Region,
    title: str,
    description: str = "",
    category: str = "",
) -> StreetListItem:
    """Add an entry to the street's needs, resources or services list."""
    model = STREET_LISTS.get(list_kind)
    if model is None:
        raise ValidationFailed(_("未知的清单"), details={"list_kind": _("无效")})
    require(can_keep_street_lists(actor, street.code))
    if street.level != Level.TOWNSHIP:
        raise ValidationFailed(_("请选择街道或乡镇"), details={"street": _("不是乡级区划")})
    if not title.strip():
        raise ValidationFailed(_("请填写标题"), details={"title": _("必填")})
    fed = Federation.objects.filter(street=street, dissolved_on__isnull=True).first()
    item: StreetListItem = model.objects.create(
        street=street,
        street_code=street.code,
        federation=fed,
        title=title.strip(),
        description=description.strip(),
        category=category.strip(),
        created_by=_actor_or_none(actor),
    )
    audit_record(
        actor=actor,
        kind=f"hubs.street_{list_kind}_added",
        target=item,
        payload={"title": item.title, "category": item.category},
        organization_id=fed.organization_id if fed else None,
        region_code=street.code,
    )
    return item


@transaction.atomic
def street_list_item_set_status(*, actor: Any, item: StreetListItem, status: str) -> StreetListItem:
    require(can_keep_street_lists(actor, item.street_code))
    if status not in ListStatus.values:
        raise ValidationFailed(_("无效的状态"), details={"status": _("无效")})
    before = item.status
    item.status = status
    item.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        kind="hubs.street_list_status",
        target=item,
        payload={"before": before, "status": status},
        region_code=item.street_code,
    )
    return item
