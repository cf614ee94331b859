"""One view of a barred person: the register's page and the API show the ID number the same way
for every role (``permissions.barred_person_view``); the credit desk and an organisation's own
account read the one scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from npohub.accounts.models import Role
from npohub.accounts.tests.factories import UserFactory
from npohub.credit.models import BarredPerson
from npohub.credit.notices import notify_organization
from npohub.credit.permissions import barred_person_view, can_manage_credit
from npohub.notifications.models import Notification
from npohub.orgs.models import OrganizationAccess

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"
MASKED = "110105********002X"


@pytest.fixture
def barred():
    return BarredPerson.objects.create(
        id_number=ID,
        name="王某",
        reason="被判处剥夺政治权利",
        legal_basis="《社会团体登记管理条例》第十三条",
        barred_from=dt.date(2025, 1, 1),
    )


def test_every_role_sees_the_same_id_number_on_the_register_page_and_in_the_api(
    cast, client, barred
):
    readers = set()
    for role, user in cast.items():
        client.force_login(user)
        page = client.get(reverse("credit:barred-list"))
        api = client.get("/api/v1/credit/barred-persons")
        assert (page.status_code == 200) == (api.status_code == 200), role
        view = barred_person_view(user, barred)
        assert view.sees_record == (api.status_code == 200), role
        if api.status_code != 200:
            continue
        readers.add(role)
        [row] = api.json()["results"]
        html = page.content.decode()
        shown = ID if view.sees_id_number else MASKED
        assert row["id_number_masked"] == shown, role
        assert shown in html, role
        assert (ID in html) == view.sees_id_number, role
        assert (reverse("credit:barred-lift", args=[barred.pk]) in html) == view.may_lift, role
    assert readers == {"admin", "city", "district", "district_out", "qingdao"}


def test_a_lifted_restriction_offers_no_lift_button(cast, client, barred):
    barred.lifted_on = dt.date(2025, 6, 1)
    barred.lifted_note = "撤销原决定"
    barred.save()
    assert not barred_person_view(cast["district"], barred).may_lift
    client.force_login(cast["district"])
    html = client.get(reverse("credit:barred-list")).content.decode()
    assert reverse("credit:barred-lift", args=[barred.pk]) not in html
    assert "2025年6月1日" in html


def test_a_bureau_account_without_a_region_has_no_credit_desk(client, barred):
    """Credit's own "is bureau" only read the role; the one scope asks for a region too, like
    every other bureau question (a bureau account with no region sees no organisation)."""
    nowhere = UserFactory(username="nowhere", role=Role.DISTRICT_BUREAU, region=None)
    assert not can_manage_credit(nowhere)
    client.force_login(nowhere)
    assert client.get(reverse("credit:barred-list")).status_code == 404
    assert client.get("/api/v1/credit/barred-persons").status_code == 403
    assert BarredPerson.objects.get().lifted_on is None


def test_an_account_whose_own_grant_ended_has_no_credit_file_to_land_on(cast, orgs, client):
    today = timezone.localdate()
    OrganizationAccess.objects.filter(user=cast["org_user"]).update(
        valid_until=today - dt.timedelta(days=1)
    )
    client.force_login(cast["org_user"])
    assert client.get(reverse("credit:my-credit")).status_code == 404
    client.force_login(cast["org_user_out"])
    response = client.get(reverse("credit:my-credit"))
    assert response.status_code == 302
    assert response["Location"] == reverse("credit:organization-credit", args=[orgs["other"].pk])


def test_notices_go_to_the_organisations_current_accounts_only(cast, orgs):
    today = timezone.localdate()
    former = UserFactory(username="former", role=Role.ORG_USER)
    OrganizationAccess.objects.create(
        user=former,
        organization=orgs["assoc"],
        reason="own",
        valid_until=today - dt.timedelta(days=1),
    )
    future = UserFactory(username="future", role=Role.ORG_USER)
    OrganizationAccess.objects.create(
        user=future,
        organization=orgs["assoc"],
        reason="own",
        valid_from=today + dt.timedelta(days=1),
    )
    assert notify_organization(orgs["assoc"], kind="credit.listed", title="测试") == 1
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"org_user"}
