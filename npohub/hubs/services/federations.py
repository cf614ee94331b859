"""Street federations (街道社会组织联合会): set up with their street hub, their chair and unit
members."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import Conflict, InvalidTransition, ValidationFailed
from npohub.core.permissions import require
from npohub.orgs.models import (
    Organization,
    Person,
    Status,
)
from npohub.regions.models import Level, Region

from ..models import (
    ExternalMemberKind,
    Federation,
    FederationExternalMember,
    HubKind,
)
from ..permissions import can_manage_federation
from ..policy import policy_for
from .access import staff_ids_of, sync_hub_access
from .recognition import RecognitionInput, create_hub


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
    *, actor: User, street: Region, organization: Organization, data: FederationInput
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
    hub = create_hub(actor=actor, org=organization, data=recognition)
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
    sync_hub_access(staff_ids_of(hub))
    return fed


@transaction.atomic
def federation_set_chair(
    *,
    actor: User,
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
    actor: User,
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
    *, actor: User, member: FederationExternalMember, left_on: dt.date
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
