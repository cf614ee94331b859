"""A hub's roster (members with their join and leave dates, supervision agreements) and its
staff accounts; every change recomputes the staff's delegated access."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import Role, User
from npohub.core.audit import audit_record
from npohub.core.errors import Conflict, InvalidTransition, ValidationFailed
from npohub.core.models import AuditEvent
from npohub.core.permissions import require
from npohub.core.templatetags.npohub import cn_date
from npohub.notifications.services import notify
from npohub.orgs.access import access_end, access_grant
from npohub.orgs.models import (
    AccessReason,
    Organization,
    OrganizationAccess,
)
from npohub.orgs.scope import organizations_accounts

from ..models import (
    Hub,
    HubMembership,
    MemberRole,
)
from ..permissions import (
    can_govern_hub,
    can_keep_roster,
)
from ..policy import policy_for
from .access import staff_ids_of, sync_hub_access


@dataclass
class MembershipInput:
    joined_on: dt.date
    role: str = MemberRole.MEMBER
    agreement_signed_on: dt.date | None = None
    agreement_terms: str = ""


def _member_event(
    *, actor: User, kind: str, membership: HubMembership, payload: dict[str, Any]
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
    *, actor: User, hub: Hub, organization: Organization, data: MembershipInput
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
            _("加入日期不能早于枢纽认定生效日期（%(date)s）") % {"date": cn_date(hub.valid_from)},
            details={"joined_on": _("无效")},
        )
    if hub.memberships.filter(organization=org, left_on__isnull=True).exists():
        raise Conflict(_("该组织已是本枢纽成员"), code="already_member")
    last = hub.memberships.filter(organization=org).order_by("-left_on").first()
    if last is not None and last.left_on is not None and data.joined_on < last.left_on:
        raise ValidationFailed(
            _("重新加入日期不能早于上次退出日期（%(date)s）") % {"date": cn_date(last.left_on)},
            details={"joined_on": _("无效")},
        )
    membership = HubMembership.objects.create(
        hub=hub,
        organization=org,
        role=data.role,
        joined_on=data.joined_on,
        agreement_signed_on=data.agreement_signed_on,
        agreement_terms=data.agreement_terms,
        created_by=actor,
    )
    _member_event(
        actor=actor,
        kind="hubs.member_joined",
        membership=membership,
        payload={"joined_on": data.joined_on.isoformat(), "role": data.role},
    )
    sync_hub_access(staff_ids_of(hub))
    notify(
        recipients=organizations_accounts([org.pk]),
        kind="hubs.roster",
        title=_("已加入“%(hub)s”成员名册") % {"hub": hub.name},
        url=reverse("hubs:hub-detail", args=[hub.pk]),
        actor=actor,
    )
    return membership


@transaction.atomic
def hub_member_leave(
    *, actor: User, membership: HubMembership, left_on: dt.date, reason: str = ""
) -> HubMembership:
    """End a stay: ``left_on`` is the first day the organisation is no longer a member."""
    membership = _lock_membership(membership)
    require(can_govern_hub(actor, membership.hub))
    if membership.left_on is not None:
        raise InvalidTransition(_("该组织已退出"), code="already_left")
    if left_on < membership.joined_on:
        raise ValidationFailed(
            _("退出日期不能早于加入日期（%(date)s）") % {"date": cn_date(membership.joined_on)},
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
    sync_hub_access(staff_ids_of(membership.hub))
    return membership


@transaction.atomic
def hub_member_sign_agreement(
    *, actor: User, membership: HubMembership, signed_on: dt.date, terms: str
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
def hub_staff_add(
    *, actor: User, hub: Hub, user: User, valid_from: dt.date | None = None
) -> OrganizationAccess:
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
    counts = sync_hub_access({user.pk})
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
def hub_staff_remove(*, actor: User, hub: Hub, user: User) -> None:
    """End a staff account's OWN grant (yesterday) and, with it, its delegated access."""
    hub = Hub.objects.select_related("organization").get(pk=hub.pk)
    require(can_govern_hub(actor, hub))
    grant = access_end(
        actor=actor, user=user, organization=hub.organization, reason=AccessReason.OWN
    )
    if grant is None:
        raise InvalidTransition(_("该账号不是本枢纽工作人员"), code="not_staff")
    counts = sync_hub_access({user.pk})
    audit_record(
        actor=actor,
        kind="hubs.staff_removed",
        target=hub,
        payload={"user": user.pk, "username": user.get_username(), "grants": counts},
        organization_id=hub.organization_id,
        region_code=hub.organization.address_code,
    )
