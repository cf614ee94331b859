"""The party demo: Jinan's structure made through the services, once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from npohub.core.models import AuditEvent
from npohub.party.models import (
    Instructor,
    PartyOrganization,
    Tier,
    WorkStation,
    WorkStationBudget,
    WorkStationLink,
)
from npohub.party.selectors import missing_party_organizations


@pytest.mark.django_db
def test_the_party_demo_builds_jinans_structure_and_loads_once(regions):
    call_command("load_demo", size="city", seed=1, scale=0.05)
    call_command("demo_accounts")
    call_command("demo_party")
    assert WorkStation.objects.count() == 6
    year = timezone.localdate().year
    assert set(WorkStationBudget.objects.filter(year=year).values_list("amount", flat=True)) == {
        Decimal("100000.00")
    }
    per_station = [
        WorkStationLink.objects.filter(station=s, organization__isnull=False).count()
        for s in WorkStation.objects.all()
    ]
    assert per_station == [30] * 6
    assert sorted(
        PartyOrganization.objects.exclude(industry="").values_list("industry", flat=True)
    ) == ["养老服务", "社会工作"]
    tiers = set(PartyOrganization.objects.values_list("tier", flat=True))
    assert {Tier.OWN_BRANCH, Tier.JOINT_BRANCH, Tier.COMMITTEE} <= tiers
    assert Instructor.objects.count() == 19
    assert missing_party_organizations(timezone.localdate())
    assert AuditEvent.objects.filter(kind="party.organization_created").exists()
    _the_party_officer_has_its_own_work_and_no_more()
    count = PartyOrganization.objects.count()
    call_command("demo_party")
    assert PartyOrganization.objects.count() == count
    assert not PartyOrganization.objects.filter(established_on__gt=timezone.localdate()).exists()


def _the_party_officer_has_its_own_work_and_no_more() -> None:
    """The demo party officer is a grant role: it sees its station, its units' branches, units
    waiting for one, and the hub the station sits at, not the whole city."""
    from npohub.accounts.models import User
    from npohub.hubs.selectors import hub_visible_to
    from npohub.party.selectors import (
        missing_list_for,
        party_organization_list_for,
        work_station_list_for,
    )

    officer = User.objects.get(username="party")
    station = WorkStation.objects.order_by("pk").first()
    assert station in work_station_list_for(officer)
    visible = party_organization_list_for(officer).count()
    assert 0 < visible < PartyOrganization.objects.count()  # not the city's root committee
    assert missing_list_for(officer)
    assert hub_visible_to(officer).filter(organization=station.host_organization).exists()
