"""Bounded values (issue 20, finding 1): a work station's budget and member counts stay within
what their columns hold; the service refuses naming the field and the database refuses the
rest on both engines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DataError, IntegrityError, transaction

from npohub.core.errors import ValidationFailed
from npohub.core.models import AuditEvent
from npohub.party import services
from npohub.party.models import (
    MEMBERS_MAX,
    PartyOrganization,
    StaffPartyMembers,
    WorkStation,
    WorkStationBudget,
)

from .factories import D0, hub_for, party_org, staff_members

pytestmark = pytest.mark.django_db


def _station(cast, org) -> WorkStation:
    hub_for(org)
    return services.work_station_create(
        actor=cast["city"],
        name="济南市社会组织党建工作站（一）",
        host_organization=org,
        established_on=D0,
    )


@pytest.mark.parametrize("amount", [Decimal("1e30"), Decimal("1e10"), Decimal("0.001")])
def test_a_station_created_with_a_budget_its_column_cannot_hold_is_refused_and_nothing_stored(
    cast, orgs, amount
):
    hub_for(orgs["assoc"])
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as info:
        services.work_station_create(
            actor=cast["city"],
            name="济南市社会组织党建工作站（一）",
            host_organization=orgs["assoc"],
            established_on=D0,
            budget_amount=amount,
        )
    assert "budget_amount" in info.value.details
    assert not WorkStation.objects.exists() and AuditEvent.objects.count() == events


def test_setting_a_budget_of_1e30_is_refused_naming_the_amount_and_nothing_changes(cast, orgs):
    station = _station(cast, orgs["assoc"])
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as info:
        services.work_station_budget_set(
            actor=cast["city"], station=station, year=2025, amount=Decimal("1e30")
        )
    assert "amount" in info.value.details
    assert not WorkStationBudget.objects.exists() and AuditEvent.objects.count() == events


def test_member_counts_of_a_trillion_are_refused_naming_the_field(cast, orgs):
    po = party_org(host=orgs["assoc"])
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as info:
        services.party_member_count_record(
            actor=cast["city"], po=po, as_of=dt.date(2025, 1, 1), formal_members=10**12
        )
    assert "formal_members" in info.value.details
    po.refresh_from_db()
    assert po.formal_members < MEMBERS_MAX and AuditEvent.objects.count() == events


def test_staff_party_members_of_a_trillion_are_refused_naming_the_field(cast, orgs):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as info:
        services.staff_party_members_record(
            actor=cast["city"], organization=orgs["assoc"], as_of=D0, formal_members=10**12
        )
    assert "formal_members" in info.value.details
    assert not StaffPartyMembers.objects.exists() and AuditEvent.objects.count() == events


def test_the_database_refuses_out_of_range_budgets_counts_and_names(cast, orgs):
    station = _station(cast, orgs["assoc"])
    budget = WorkStationBudget.objects.create(station=station, year=2024, amount=Decimal("1"))
    po = party_org(host=orgs["assoc"])
    staff = staff_members(orgs["other"], 3)
    cases = [
        (WorkStationBudget, budget.pk, {"amount": Decimal("1e10")}),
        (WorkStationBudget, budget.pk, {"year": 99}),
        (PartyOrganization, po.pk, {"formal_members": MEMBERS_MAX + 1}),
        (PartyOrganization, po.pk, {"name": "党" * 201}),
        (StaffPartyMembers, staff.pk, {"formal_members": 10**12}),
    ]
    for model, pk, values in cases:
        with pytest.raises((IntegrityError, DataError)), transaction.atomic():
            model.objects.filter(pk=pk).update(**values)
