"""Party organisations: set up, change, dissolve; their member counts, the units they cover,
and a unit's own staff party members.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import ValidationFailed
from npohub.core.permissions import require
from npohub.orgs.models import Organization, Person

from .. import credit_hook
from ..errors import PartyRuleError
from ..models import (
    OWN_TIERS,
    PartyCoverage,
    PartyMemberCount,
    PartyOrganization,
    StaffPartyMembers,
    Tier,
)
from ..permissions import (
    can_create_party_organization,
    can_keep_coverage,
    can_keep_party_organization,
    can_place_party_organization,
    can_record_for_organization,
)
from .rules import (
    PartyOrganizationInput,
    _check_coverage_conflict,
    _check_joint_capacity,
    _check_own_branch_members,
    _check_shape,
    _day_before,
    _end_relation,
    _live_coverages,
    _require_members_bounded,
    _require_open,
)


def _secretary(name: str, phone: str, current: Person | None) -> Person | None:
    name = name.strip()
    if not name:
        return None
    if current is not None and current.name == name:
        if phone and current.phone != phone:
            current.phone = phone
            current.save(update_fields=["phone", "updated_at"])
        return current
    return Person.objects.create(name=name, phone=phone.strip())


def _on_commit_resolve(actor: User, org_ids: list[int], on: dt.date) -> None:
    """Forming an own party organisation resolves the unit's 应建未建 credit fact (after commit)."""
    if org_ids:
        transaction.on_commit(lambda: credit_hook.resolve_missing(org_ids, on, actor))


def party_organization_create(*, actor: User, data: PartyOrganizationInput) -> PartyOrganization:
    """Set up a party organisation: an own branch needs ≥ 3 formal members, a joint branch
    covers ≤ 5 units, and an own one takes its unit over from a joint branch."""
    region = data.effective_region()
    require(
        can_create_party_organization(
            actor, region_code=region, host=data.host_organization, covered=list(data.covered)
        )
    )
    _check_shape(data)
    _check_own_branch_members(data.tier, data.formal_members, region)
    with transaction.atomic():
        po = PartyOrganization.objects.create(
            name=data.name.strip(),
            tier=data.tier,
            parent=data.parent,
            region_code=region,
            host_organization=data.host_organization,
            industry=data.industry.strip(),
            secretary=_secretary(data.secretary_name, data.secretary_phone, None),
            established_on=data.established_on,
            approval_ref=data.approval_ref.strip(),
            formal_members=data.formal_members,
            probationary_members=data.probationary_members,
            activists=data.activists,
            counts_as_of=data.established_on,
            note=data.note,
        )
        PartyMemberCount.objects.create(
            party_organization=po,
            as_of=data.established_on,
            formal_members=data.formal_members,
            probationary_members=data.probationary_members,
            activists=data.activists,
            recorded_by=actor,
        )
        units = list(data.covered)
        if data.tier == Tier.JOINT_BRANCH:
            _check_joint_capacity(po, data.established_on, len({u.pk for u in units}))
        elif data.host_organization is not None and not data.industry:
            units = [data.host_organization]
        transferred = []
        for unit in {u.pk: u for u in units}.values():
            _require_open(unit)
            if po.tier in OWN_TIERS:
                transferred += _leave_joint_branch(unit, data.established_on)
            _check_coverage_conflict(po, unit, data.established_on)
            PartyCoverage.objects.create(
                party_organization=po, organization=unit, start_date=data.established_on
            )
        audit_record(
            actor=actor,
            kind="party.organization_created",
            target=po,
            organization_id=data.host_organization.pk if data.host_organization else None,
            region_code=region,
            payload={
                "tier": po.tier,
                "formal_members": po.formal_members,
                "covered": sorted(u.pk for u in units),
                "left_joint_branch": transferred,
                "industry": po.industry,
            },
        )
        if po.tier in OWN_TIERS:
            _on_commit_resolve(actor, [u.pk for u in units], data.established_on)
    return po


def _leave_joint_branch(org: Organization, on: dt.date) -> list[int]:
    """A unit that sets up its own organisation leaves its joint branch the day before."""
    left = []
    for cov in _live_coverages(on).filter(
        organization=org, party_organization__tier=Tier.JOINT_BRANCH
    ):
        cov.end_date = max(cov.start_date, _day_before(on))
        cov.save(update_fields=["end_date"])
        left.append(cov.party_organization_id)
    return left


def party_organization_update(
    *, actor: User, po: PartyOrganization, data: PartyOrganizationInput
) -> PartyOrganization:
    """Correct a party organisation's record; the tier rules hold for the current figures."""
    require(can_keep_party_organization(actor, po))
    region = data.region_code or po.region_code
    if region != po.region_code:
        require(can_place_party_organization(actor, region))
    if po.dissolved_on:
        raise PartyRuleError(
            _("已撤销的党组织不能修改"), code="party.dissolved", details={"name": _("不能修改")}
        )
    data.host_organization = po.host_organization
    data.covered = []
    _check_shape(data, this_pk=po.pk)
    _check_own_branch_members(data.tier, po.formal_members, region)
    today = timezone.localdate()
    if data.tier == Tier.JOINT_BRANCH and po.tier != Tier.JOINT_BRANCH:
        raise PartyRuleError(
            _("本单位党组织不能直接改为联合党支部：请撤销后另建或加入联合党支部"),
            code="party.tier_change",
            details={"tier": _("无效")},
        )
    if po.tier == Tier.JOINT_BRANCH and data.tier != Tier.JOINT_BRANCH:
        raise PartyRuleError(
            _("联合党支部不能直接改为本单位党组织：请为具备条件的单位另建党组织"),
            code="party.tier_change",
            details={"tier": _("无效")},
        )
    fields = {
        "name": data.name.strip(),
        "tier": data.tier,
        "parent_id": data.parent.pk if data.parent else None,
        "region_code": region,
        "industry": data.industry.strip(),
        "approval_ref": data.approval_ref.strip(),
        "established_on": data.established_on,
        "note": data.note,
    }
    with transaction.atomic():
        secretary = _secretary(data.secretary_name, data.secretary_phone, po.secretary)
        fields["secretary_id"] = secretary.pk if secretary else None
        changed = {
            k: [str(getattr(po, k)), str(v)] for k, v in fields.items() if getattr(po, k) != v
        }
        for key, value in fields.items():
            setattr(po, key, value)
        po.save()
        audit_record(
            actor=actor,
            kind="party.organization_updated",
            target=po,
            organization_id=po.host_organization_id,
            region_code=po.region_code,
            payload={"changed": changed, "on": str(today)},
        )
    return po


def party_organization_dissolve(
    *, actor: User, po: PartyOrganization, dissolved_on: dt.date, reason: str
) -> PartyOrganization:
    """Dissolve a party organisation: its coverage ends the day before; live children first."""
    require(can_keep_party_organization(actor, po))
    if po.dissolved_on:
        raise PartyRuleError(
            _("该党组织已撤销"), code="party.dissolved", details={"dissolved_on": _("无效")}
        )
    if dissolved_on <= po.established_on:
        raise ValidationFailed(_("撤销日期应晚于成立日期"), details={"dissolved_on": _("无效")})
    if not reason.strip():
        raise ValidationFailed(_("请填写撤销原因"), details={"reason": _("必填")})
    if po.children.filter(dissolved_on__isnull=True).exists():
        raise PartyRuleError(
            _("该党组织还有未撤销的下级党组织，请先撤销或调整其隶属关系"),
            code="party.has_children",
            details={"dissolved_on": _("无效")},
        )
    with transaction.atomic():
        ended = []
        for cov in po.coverages.filter(end_date__isnull=True):
            cov.end_date = max(cov.start_date, _day_before(dissolved_on))
            cov.save(update_fields=["end_date"])
            ended.append(cov.organization_id)
        po.dissolved_on = dissolved_on
        po.save(update_fields=["dissolved_on", "updated_at"])
        audit_record(
            actor=actor,
            kind="party.organization_dissolved",
            target=po,
            organization_id=po.host_organization_id,
            region_code=po.region_code,
            payload={"dissolved_on": str(dissolved_on), "reason": reason, "ended": ended},
        )
    return po


def party_member_count_record(
    *,
    actor: User,
    po: PartyOrganization,
    as_of: dt.date,
    formal_members: int,
    probationary_members: int = 0,
    activists: int = 0,
) -> PartyMemberCount:
    """Record the members on a date (one row per date); the latest is shown on lists."""
    require(can_keep_party_organization(actor, po))
    if as_of < po.established_on or as_of > timezone.localdate():
        raise ValidationFailed(
            _("截至日期应在成立日期之后且不晚于今天"), details={"as_of": _("无效")}
        )
    if min(formal_members, probationary_members, activists) < 0:
        raise ValidationFailed(_("人数不能为负数"), details={"formal_members": _("无效")})
    _require_members_bounded(
        formal_members=formal_members,
        probationary_members=probationary_members,
        activists=activists,
    )
    with transaction.atomic():
        row, created = PartyMemberCount.objects.update_or_create(
            party_organization=po,
            as_of=as_of,
            defaults={
                "formal_members": formal_members,
                "probationary_members": probationary_members,
                "activists": activists,
                "recorded_by": actor,
            },
        )
        if po.counts_as_of is None or as_of >= po.counts_as_of:
            po.formal_members = formal_members
            po.probationary_members = probationary_members
            po.activists = activists
            po.counts_as_of = as_of
            po.save(
                update_fields=[
                    "formal_members",
                    "probationary_members",
                    "activists",
                    "counts_as_of",
                    "updated_at",
                ]
            )
        audit_record(
            actor=actor,
            kind="party.member_count_recorded",
            target=po,
            organization_id=po.host_organization_id,
            region_code=po.region_code,
            payload={
                "as_of": str(as_of),
                "formal": formal_members,
                "probationary": probationary_members,
                "activists": activists,
                "replaced": not created,
            },
        )
    return row


def party_coverage_add(
    *, actor: User, po: PartyOrganization, organization: Organization, start_date: dt.date
) -> PartyCoverage:
    """A party organisation takes a unit in: a joint branch up to 5, an own one only its unit."""
    require(can_keep_party_organization(actor, po))
    require(can_record_for_organization(actor, organization))
    if po.dissolved_on:
        raise PartyRuleError(_("已撤销的党组织不能覆盖单位"), code="party.dissolved", details={})
    if start_date < po.established_on:
        raise ValidationFailed(
            _("覆盖起始日期不能早于党组织成立日期"), details={"start_date": _("无效")}
        )
    _require_open(organization)
    if po.tier != Tier.JOINT_BRANCH and organization.pk != po.host_organization_id:
        raise PartyRuleError(
            _("本单位党组织只覆盖其所在单位；多个单位请组建联合党支部"),
            code="party.covered_only_joint",
            details={"organization": _("无效")},
        )
    with transaction.atomic():
        if po.tier == Tier.JOINT_BRANCH:
            _check_joint_capacity(po, start_date, 1)
        _check_coverage_conflict(po, organization, start_date)
        cov = PartyCoverage.objects.create(
            party_organization=po, organization=organization, start_date=start_date
        )
        audit_record(
            actor=actor,
            kind="party.coverage_added",
            target=po,
            organization_id=organization.pk,
            region_code=po.region_code,
            payload={"organization": organization.pk, "start_date": str(start_date)},
        )
        if po.tier in OWN_TIERS:
            _on_commit_resolve(actor, [organization.pk], start_date)
    return cov


def party_coverage_end(*, actor: User, coverage: PartyCoverage, end_date: dt.date) -> PartyCoverage:
    """A unit leaves a party organisation on ``end_date`` (its last covered day)."""
    po = coverage.party_organization
    require(can_keep_coverage(actor, coverage))
    with transaction.atomic():
        _end_relation(coverage, end_date, ended=_("该覆盖关系已终止"), code="party.coverage_ended")
        audit_record(
            actor=actor,
            kind="party.coverage_ended",
            target=po,
            organization_id=coverage.organization_id,
            region_code=po.region_code,
            payload={"organization": coverage.organization_id, "end_date": str(end_date)},
        )
    return coverage


def staff_party_members_record(
    *,
    actor: User,
    organization: Organization,
    as_of: dt.date,
    formal_members: int,
    source: str = "",
) -> StaffPartyMembers:
    """Record how many formal party members the unit's staff count on a date (rule 46 input)."""
    require(can_record_for_organization(actor, organization))
    if as_of > timezone.localdate():
        raise ValidationFailed(_("截至日期不能晚于今天"), details={"as_of": _("无效")})
    if formal_members < 0:
        raise ValidationFailed(_("人数不能为负数"), details={"formal_members": _("无效")})
    _require_members_bounded(formal_members=formal_members)
    with transaction.atomic():
        row, created = StaffPartyMembers.objects.update_or_create(
            organization=organization,
            as_of=as_of,
            defaults={
                "formal_members": formal_members,
                "source": source.strip(),
                "recorded_by": actor,
            },
        )
        audit_record(
            actor=actor,
            kind="party.staff_members_recorded",
            target=organization,
            organization_id=organization.pk,
            region_code=organization.address_code,
            payload={
                "as_of": str(as_of),
                "formal_members": formal_members,
                "source": source,
                "replaced": not created,
            },
        )
    return row
