"""The hubs demo: Jinan's structure (seed 000) made through the services, once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from npohub.accounts.models import User
from npohub.hubs.models import Federation, Hub, ServicePlatform
from npohub.hubs.selectors import federation_coverage, member_ids_for_user
from npohub.party.models import WorkStation


@pytest.mark.django_db
def test_the_hubs_demo_builds_jinans_structure_once_and_the_party_demo_follows():
    call_command("load_demo", size="city", seed=1, scale=0.05)
    call_command("demo_accounts")
    call_command("demo_hubs")
    kinds = {
        k: Hub.objects.filter(kind=k).count()
        for k in ("party", "platform", "street", "spontaneous")
    }
    assert kinds == {"party": 6, "platform": 5, "street": 164, "spontaneous": 2}
    assert Hub.objects.count() == 177
    total = federation_coverage("3701")["total"]
    assert (total.streets, total.with_federation, total.chaired_by_head) == (164, 164, 164)
    assert (total.coverage, total.head_chair_share) == (Decimal("100.0"), Decimal("100.0"))
    levels = [
        ServicePlatform.objects.filter(level=lv).count() for lv in ("city", "district", "street")
    ]
    assert levels == [1, 13, 161]
    hub_user = User.objects.get(username="hub")
    assert len(member_ids_for_user(hub_user)) == 30
    client = Client()
    client.force_login(hub_user)
    hub = Hub.objects.get(kind="platform", scope_prefix="3701")
    assert client.get(f"/hubs/{hub.pk}/").status_code == 200

    count = Hub.objects.count()
    call_command("demo_hubs")
    assert (Hub.objects.count(), Federation.objects.count()) == (count, 164)

    call_command("demo_party")
    hosts = set(WorkStation.objects.values_list("host_organization_id", flat=True))
    party_hubs = set(Hub.objects.filter(kind="party").values_list("organization_id", flat=True))
    assert hosts == party_hubs
    assert Hub.objects.count() == 177
