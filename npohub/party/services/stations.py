"""Party-building work stations: set up, budgets, and the organisations each one serves."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import Conflict, ValidationFailed
from npohub.core.permissions import require
from npohub.orgs.models import Organization

from .. import hub_link
from ..models import (
    PartyOrganization,
    WorkStation,
    WorkStationBudget,
    WorkStationLink,
    active_on_q,
)
from ..permissions import (
    can_manage_party_in,
    can_record_for_organization,
)
from .rules import (
    _end_relation,
    _require_budget_bounded,
    _require_open,
)


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
