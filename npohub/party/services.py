"""Writes on party building. Each service checks permissions.py and the §9 rules, writes in one
transaction and records one audit event; the credit hook runs after commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import Conflict, ValidationFailed
from npohub.core.params import decimal_problem
from npohub.core.permissions import require
from npohub.orgs.models import Organization, Person

from . import credit_hook, hub_link
from .errors import PartyRuleError
from .models import (
    BUDGET_DECIMAL_PLACES,
    BUDGET_MAX_DIGITS,
    MEMBERS_MAX,
    OWN_TIERS,
    PARENT_TIERS,
    Instructor,
    InstructorAssignment,
    InstructorKind,
    PartyCoverage,
    PartyMemberCount,
    PartyOrganization,
    StaffPartyMembers,
    Tier,
    WorkStation,
    WorkStationBudget,
    WorkStationLink,
    active_on_q,
)
from .permissions import (
    can_create_party_organization,
    can_keep_coverage,
    can_keep_party_organization,
    can_manage_party_in,
    can_place_party_organization,
    can_record_for_organization,
)
from .policy import policy_for


def _day_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=1)


def _live_coverages(on: dt.date) -> Any:
    return PartyCoverage.objects.filter(active_on_q(on)).filter(
        party_organization__dissolved_on__isnull=True
    )


def _require_open(org: Organization) -> None:
    if org.is_closed:
        raise PartyRuleError(
            _("“%(name)s”已注销或撤销") % {"name": org.name},
            code="party.organization_closed",
            details={"organization": _("无效")},
        )


def _end_relation(row: Any, end_date: dt.date, *, ended: str, code: str) -> None:
    """End a dated relation (coverage, station link, instructor assignment) once, not before it
    started; ``ended`` and ``code`` refuse a second end. The row is locked first, so two
    concurrent requests cannot both end it. Call inside the service's transaction."""
    locked = type(row).objects.select_for_update().get(pk=row.pk)
    if locked.end_date is not None:
        raise PartyRuleError(ended, code=code, details={})
    if end_date < locked.start_date:
        raise ValidationFailed(_("终止日期不能早于起始日期"), details={"end_date": _("无效")})
    row.end_date = end_date
    row.save(update_fields=["end_date"])


def _check_coverage_conflict(po: PartyOrganization, org: Organization, on: dt.date) -> None:
    """One unit belongs to one grassroots party organisation at a time: a joint branch may not
    take a unit that already has one, and an own-tier organisation may not take a unit that
    another own-tier organisation (other than its parent) covers."""
    live = _live_coverages(on).filter(organization=org).exclude(party_organization=po)
    if po.tier != Tier.JOINT_BRANCH:
        live = live.filter(party_organization__tier__in=OWN_TIERS)
        if po.parent_id:
            live = live.exclude(party_organization_id=po.parent_id)
    existing = live.select_related("party_organization").first()
    if existing is not None:
        raise Conflict(
            _("“%(org)s”已由“%(po)s”覆盖，请先终止原覆盖关系")
            % {"org": org.name, "po": existing.party_organization.name},
            code="party.already_covered",
            details={"organization": _("已存在")},
        )


def _check_joint_capacity(po: PartyOrganization, on: dt.date, adding: int) -> None:
    limit = int(policy_for(po.region_code)["joint_branch_max_units"])
    current = _live_coverages(on).filter(party_organization=po).count()
    if current + adding > limit:
        raise PartyRuleError(
            _("联合党支部覆盖的单位一般不超过%(limit)s个（覆盖后将为%(count)s个）")
            % {"limit": limit, "count": current + adding},
            code="party.joint_branch_too_many_units",
            details={"organizations": _("无效")},
        )


def _check_own_branch_members(tier: str, formal: int, region_code: str) -> None:
    minimum = int(policy_for(region_code)["own_branch_min_formal_members"])
    if tier == Tier.OWN_BRANCH and formal < minimum:
        raise PartyRuleError(
            _(
                "独立党支部须有正式党员%(min)s名以上（现有%(count)s名）；"
                "不足%(min)s名的单位应组建或加入联合党支部"
            )
            % {"min": minimum, "count": formal},
            code="party.own_branch_too_few_members",
            details={"formal_members": _("无效")},
        )


def _check_parent(tier: str, parent: PartyOrganization | None, this_pk: int | None) -> None:
    if parent is None:
        return
    if parent.pk == this_pk or parent.tier not in PARENT_TIERS[tier] or parent.dissolved_on:
        raise PartyRuleError(
            _("%(tier)s的上级党组织应为：%(allowed)s（且未撤销）")
            % {
                "tier": Tier(tier).label,
                "allowed": "、".join(str(Tier(t).label) for t in sorted(PARENT_TIERS[tier])),
            },
            code="party.invalid_parent",
            details={"parent": _("无效")},
        )


def _check_shape(data: PartyOrganizationInput, this_pk: int | None = None) -> None:
    if data.tier not in Tier.values:
        raise ValidationFailed(_("层级无效"), details={"tier": _("无效")})
    if not data.name.strip():
        raise ValidationFailed(_("请填写党组织名称"), details={"name": _("必填")})
    if data.tier == Tier.OWN_BRANCH and data.host_organization is None:
        raise PartyRuleError(
            _("独立党支部须指明所在单位"),
            code="party.host_required",
            details={"host_organization": _("必填")},
        )
    if data.tier == Tier.JOINT_BRANCH and data.host_organization is not None:
        raise PartyRuleError(
            _("联合党支部不隶属于单个单位，请在“覆盖单位”中列出各单位"),
            code="party.joint_branch_host",
            details={"host_organization": _("无效")},
        )
    if data.industry:
        if data.tier != Tier.COMMITTEE or data.host_organization is None:
            raise PartyRuleError(
                _("行业党委应为党委层级，并依托一家枢纽型社会组织"),
                code="party.industry_committee_shape",
                details={"industry": _("无效")},
            )
        hub_link.require_hub(data.host_organization, data.established_on)
    if data.host_organization is not None:
        _require_open(data.host_organization)
    if data.tier != Tier.JOINT_BRANCH and data.covered:
        raise PartyRuleError(
            _("只有联合党支部覆盖多个单位；本单位党组织覆盖其所在单位"),
            code="party.covered_only_joint",
            details={"organizations": _("无效")},
        )
    _check_parent(data.tier, data.parent, this_pk)


@dataclass
class PartyOrganizationInput:
    name: str
    tier: str
    established_on: dt.date
    region_code: str = ""
    host_organization: Organization | None = None
    parent: PartyOrganization | None = None
    industry: str = ""
    secretary_name: str = ""
    secretary_phone: str = ""
    approval_ref: str = ""
    formal_members: int = 0
    probationary_members: int = 0
    activists: int = 0
    note: str = ""
    # Joint branch: the units it covers from the day it is set up.
    covered: list[Organization] = field(default_factory=list)

    def effective_region(self) -> str:
        if self.region_code:
            return self.region_code
        return self.host_organization.address_code if self.host_organization else ""


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


# --- work stations -----------------------------------------------------------------------------


def work_station_create(
    *,
    actor: User,
    name: str,
    host_organization: Organization,
    established_on: dt.date,
    region_code: str = "",
    budget_year: int | None = None,
    budget_amount: Decimal | None = None,
    note: str = "",
) -> WorkStation:
    """Set up a work station at a hub organisation, with its first year's funding."""
    region = region_code or host_organization.address_code
    require(can_manage_party_in(actor, region))
    if not name.strip():
        raise ValidationFailed(_("请填写工作站名称"), details={"name": _("必填")})
    _require_open(host_organization)
    hub_link.require_hub(host_organization, established_on)
    if budget_amount is not None and budget_amount < 0:
        raise ValidationFailed(_("经费不能为负数"), details={"budget_amount": _("无效")})
    _require_budget_bounded("budget_amount", budget_amount)
    with transaction.atomic():
        station = WorkStation.objects.create(
            name=name.strip(),
            host_organization=host_organization,
            region_code=region,
            established_on=established_on,
            note=note,
        )
        if budget_amount is not None:
            WorkStationBudget.objects.create(
                station=station, year=budget_year or established_on.year, amount=budget_amount
            )
        audit_record(
            actor=actor,
            kind="party.work_station_created",
            target=station,
            organization_id=host_organization.pk,
            region_code=region,
            payload={
                "host": host_organization.pk,
                "budget": None if budget_amount is None else str(budget_amount),
            },
        )
    return station


def _require_members_bounded(**counts: int) -> None:
    """Member counts up to MEMBERS_MAX (SQLite would store 10^12 and break the lists)."""
    for name, count in counts.items():
        if count > MEMBERS_MAX:
            message = _("人数不能超过%(max)s") % {"max": f"{MEMBERS_MAX:,}"}
            raise ValidationFailed(message, details={name: message})


def _require_budget_bounded(name: str, amount: Decimal | None) -> None:
    """A budget its column holds (DecimalField(12, 2)), refused naming the field otherwise."""
    problem = decimal_problem(
        amount, max_digits=BUDGET_MAX_DIGITS, decimal_places=BUDGET_DECIMAL_PLACES, minimum=0
    )
    if problem:
        raise ValidationFailed(problem, details={name: problem})


def work_station_budget_set(
    *, actor: User, station: WorkStation, year: int, amount: Decimal
) -> WorkStationBudget:
    """Set one year's funding of a work station (one row per year)."""
    require(can_manage_party_in(actor, station.region_code))
    if amount < 0:
        raise ValidationFailed(_("经费不能为负数"), details={"amount": _("无效")})
    _require_budget_bounded("amount", amount)
    if year < station.established_on.year or year > timezone.localdate().year + 1:
        raise ValidationFailed(_("年度无效"), details={"year": _("无效")})
    with transaction.atomic():
        row, created = WorkStationBudget.objects.update_or_create(
            station=station, year=year, defaults={"amount": amount}
        )
        audit_record(
            actor=actor,
            kind="party.work_station_budget_set",
            target=station,
            organization_id=station.host_organization_id,
            region_code=station.region_code,
            payload={"year": year, "amount": str(amount), "replaced": not created},
        )
    return row


def work_station_link_add(
    *,
    actor: User,
    station: WorkStation,
    start_date: dt.date,
    organization: Organization | None = None,
    party_organization: PartyOrganization | None = None,
) -> WorkStationLink:
    """The station takes an organisation or a party organisation under its guidance."""
    require(can_manage_party_in(actor, station.region_code))
    if (organization is None) == (party_organization is None):
        raise ValidationFailed(
            _("请选择一个社会组织或一个党组织"), details={"organization": _("必填")}
        )
    if organization is not None:
        require(can_record_for_organization(actor, organization))
        _require_open(organization)
    if start_date < station.established_on:
        raise ValidationFailed(
            _("起始日期不能早于工作站设立日期"), details={"start_date": _("无效")}
        )
    live = WorkStationLink.objects.filter(active_on_q(start_date), station=station)
    duplicate = (
        live.filter(organization=organization)
        if organization
        else live.filter(party_organization=party_organization)
    )
    if duplicate.exists():
        raise Conflict(_("该对象已在本工作站联系范围内"), details={"organization": _("已存在")})
    with transaction.atomic():
        link = WorkStationLink.objects.create(
            station=station,
            organization=organization,
            party_organization=party_organization,
            start_date=start_date,
        )
        audit_record(
            actor=actor,
            kind="party.work_station_linked",
            target=station,
            organization_id=organization.pk if organization else None,
            region_code=station.region_code,
            payload={
                "organization": organization.pk if organization else None,
                "party_organization": party_organization.pk if party_organization else None,
                "start_date": str(start_date),
            },
        )
    return link


def work_station_link_end(
    *, actor: User, link: WorkStationLink, end_date: dt.date
) -> WorkStationLink:
    require(can_manage_party_in(actor, link.station.region_code))
    with transaction.atomic():
        _end_relation(link, end_date, ended=_("该联系关系已终止"), code="party.link_ended")
        audit_record(
            actor=actor,
            kind="party.work_station_unlinked",
            target=link.station,
            organization_id=link.organization_id,
            region_code=link.station.region_code,
            payload={"link": link.pk, "end_date": str(end_date)},
        )
    return link


# --- instructors and liaisons ------------------------------------------------------------------


def instructor_create(
    *,
    actor: User,
    name: str,
    region_code: str,
    appointed_on: dt.date,
    kind: str = InstructorKind.INSTRUCTOR,
    phone: str = "",
    unit_label: str = "",
    user: User | None = None,
) -> Instructor:
    """Appoint a party-building instructor or liaison for a region."""
    require(can_manage_party_in(actor, region_code))
    if not name.strip():
        raise ValidationFailed(_("请填写姓名"), details={"name": _("必填")})
    if kind not in InstructorKind.values:
        raise ValidationFailed(_("类别无效"), details={"kind": _("无效")})
    with transaction.atomic():
        person = Person.objects.create(name=name.strip(), phone=phone.strip())
        instructor = Instructor.objects.create(
            person=person,
            kind=kind,
            unit_label=unit_label.strip(),
            region_code=region_code,
            appointed_on=appointed_on,
            user=user,
        )
        audit_record(
            actor=actor,
            kind="party.instructor_appointed",
            target=instructor,
            region_code=region_code,
            payload={"kind": kind, "unit": unit_label},
        )
    return instructor


def instructor_end(*, actor: User, instructor: Instructor, ended_on: dt.date) -> Instructor:
    """End an instructor's appointment; their live assignments end the same day."""
    require(can_manage_party_in(actor, instructor.region_code))
    if instructor.ended_on is not None:
        raise PartyRuleError(_("该指导员已离任"), code="party.instructor_ended", details={})
    if ended_on < instructor.appointed_on:
        raise ValidationFailed(_("终止日期不能早于选派日期"), details={"ended_on": _("无效")})
    with transaction.atomic():
        ended = []
        for row in instructor.assignments.filter(end_date__isnull=True):
            row.end_date = max(row.start_date, ended_on)
            row.save(update_fields=["end_date"])
            ended.append(row.organization_id)
        instructor.ended_on = ended_on
        instructor.save(update_fields=["ended_on", "updated_at"])
        audit_record(
            actor=actor,
            kind="party.instructor_ended",
            target=instructor,
            region_code=instructor.region_code,
            payload={"ended_on": str(ended_on), "assignments_ended": ended},
        )
    return instructor


def instructor_assign(
    *, actor: User, instructor: Instructor, organization: Organization, start_date: dt.date
) -> InstructorAssignment:
    """Assign an instructor to an organisation (work coverage, rule 47)."""
    require(can_manage_party_in(actor, instructor.region_code))
    require(can_record_for_organization(actor, organization))
    if instructor.ended_on is not None:
        raise PartyRuleError(
            _("该指导员已离任，不能再分配联系单位"), code="party.instructor_ended", details={}
        )
    if start_date < instructor.appointed_on:
        raise ValidationFailed(_("起始日期不能早于选派日期"), details={"start_date": _("无效")})
    _require_open(organization)
    if instructor.assignments.filter(active_on_q(start_date), organization=organization).exists():
        raise Conflict(
            _("该指导员已联系“%(name)s”") % {"name": organization.name},
            details={"organization": _("已存在")},
        )
    with transaction.atomic():
        row = InstructorAssignment.objects.create(
            instructor=instructor, organization=organization, start_date=start_date
        )
        audit_record(
            actor=actor,
            kind="party.instructor_assigned",
            target=instructor,
            organization_id=organization.pk,
            region_code=organization.address_code,
            payload={"organization": organization.pk, "start_date": str(start_date)},
        )
    return row


def instructor_assignment_end(
    *, actor: User, assignment: InstructorAssignment, end_date: dt.date
) -> InstructorAssignment:
    require(can_manage_party_in(actor, assignment.instructor.region_code))
    with transaction.atomic():
        _end_relation(assignment, end_date, ended=_("该联系关系已终止"), code="party.link_ended")
        audit_record(
            actor=actor,
            kind="party.instructor_unassigned",
            target=assignment.instructor,
            organization_id=assignment.organization_id,
            region_code=assignment.instructor.region_code,
            payload={"organization": assignment.organization_id, "end_date": str(end_date)},
        )
    return assignment
