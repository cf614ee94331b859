"""The bureau recognises a registered organisation as a hub for a scope, and revokes it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import Conflict, InvalidTransition, ValidationFailed
from npohub.core.permissions import require
from npohub.notifications.services import notify
from npohub.orgs.models import (
    Category,
    Organization,
    Status,
)
from npohub.orgs.scope import organizations_accounts
from npohub.regions.models import Region

from ..models import (
    Hub,
    HubKind,
    HubStatus,
)
from ..permissions import (
    can_govern_hub,
    can_recognise_hub,
)
from ..policy import policy_for
from .access import staff_ids_of, sync_hub_access


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


def create_hub(*, actor: User, org: Organization, data: RecognitionInput) -> Hub:
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
                recognised_by=actor,
            )
    except IntegrityError as exc:
        raise Conflict(_("该组织已被认定为同类枢纽"), code="hub_already_recognised") from exc


@transaction.atomic
def hub_recognize(*, actor: User, organization: Organization, data: RecognitionInput) -> Hub:
    """The bureau recognises a registered organisation as a hub of ``data.kind`` for a scope."""
    org = (
        Organization.objects.select_for_update(of=("self",))
        .select_related("authority_region")
        .get(pk=organization.pk)
    )
    region_code = data.region.code if data.region is not None else ""
    require(can_recognise_hub(actor, org, region_code=region_code))
    _check_recognition(org, data)
    hub = create_hub(actor=actor, org=org, data=data)
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
    sync_hub_access(staff_ids_of(hub))
    notify(
        recipients=organizations_accounts([org.pk]),
        kind="hubs.recognised",
        title=_("“%(name)s”已被认定为%(kind)s枢纽型社会组织")
        % {"name": org.name, "kind": hub.get_kind_display()},
        body=_("认定文号：%(number)s") % {"number": hub.decision_number},
        url=reverse("hubs:hub-detail", args=[hub.pk]),
        actor=actor,
    )
    return hub


@transaction.atomic
def hub_revoke(*, actor: User, hub: Hub, reason: str) -> Hub:
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
    hub.revoked_by = actor
    hub.save(update_fields=["status", "revoked_on", "revoked_reason", "revoked_by", "updated_at"])
    staff = staff_ids_of(hub)
    counts = sync_hub_access(staff)
    audit_record(
        actor=actor,
        kind="hubs.revoked",
        target=hub,
        payload={"reason": hub.revoked_reason, "revoked_on": today.isoformat(), "grants": counts},
        organization_id=hub.organization_id,
        region_code=hub.organization.address_code,
    )
    notify(
        recipients=[
            *User.objects.filter(pk__in=staff),
            *organizations_accounts([hub.organization_id]),
        ],
        kind="hubs.recognised",
        title=_("“%(name)s”的枢纽认定已撤销") % {"name": hub.name},
        body=hub.revoked_reason,
        url=reverse("hubs:hub-detail", args=[hub.pk]),
        actor=actor,
    )
    return hub
