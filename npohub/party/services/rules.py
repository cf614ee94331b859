"""The §9 rules every party write checks (one unit in one grassroots organisation, joint-branch
size, own-branch members, parent tiers, bounded counts and budgets), the dated-relation end, and
the party organisation's input shape.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from npohub.core.errors import Conflict, ValidationFailed
from npohub.core.params import decimal_problem
from npohub.orgs.models import Organization

from .. import hub_link
from ..errors import PartyRuleError
from ..models import (
    BUDGET_DECIMAL_PLACES,
    BUDGET_MAX_DIGITS,
    MEMBERS_MAX,
    OWN_TIERS,
    PARENT_TIERS,
    PartyCoverage,
    PartyOrganization,
    Tier,
    active_on_q,
)
from ..policy import policy_for


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
