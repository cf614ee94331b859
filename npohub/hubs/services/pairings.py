"""Pairing (结对共建) of city/district organisations with community groups."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import Conflict, InvalidTransition, ValidationFailed
from npohub.core.permissions import require
from npohub.orgs.models import (
    Kind,
    Organization,
)

from ..models import Pairing
from ..permissions import can_manage_pairing
from ..policy import policy_for


@transaction.atomic
def pairing_create(
    *,
    actor: User,
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
        created_by=actor,
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
def pairing_close(*, actor: User, pairing: Pairing, ended_on: dt.date, outcome: str) -> Pairing:
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
