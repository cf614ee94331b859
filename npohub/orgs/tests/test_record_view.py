"""One view of an organisation: the staff page and /api/v1/organizations/<id> mask the same
ID numbers and phones for every role (``organization_view``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from npohub.orgs import services
from npohub.orgs.exports import export_rows
from npohub.orgs.models import Officer, OfficerPosition, Person
from npohub.orgs.permissions import organization_view
from npohub.orgs.selectors import OrganizationFilters
from npohub.orgs.validation import organization_input_of

pytestmark = pytest.mark.django_db

REP_ID = "11010519491231002X"
REP_PHONE = "13812345678"
OFFICER_ID = "370102198001011234"
ORG_PHONE = "13900001111"
NEW_ORG_PHONE = "13900002222"


@pytest.fixture
def org(orgs):
    org = orgs["assoc"]
    person = org.legal_representative
    person.id_number, person.phone = REP_ID, REP_PHONE
    person.save()
    secretary = Person.objects.create(name="秘书长甲", id_number=OFFICER_ID)
    Officer.objects.create(
        organization=org, person=secretary, position=OfficerPosition.SECRETARY_GENERAL
    )
    org.phone = ORG_PHONE
    org.save()
    return org


def _change_phone(org, actor):
    data = organization_input_of(org)
    data.phone = NEW_ORG_PHONE
    services.organization_update(actor=actor, org=org, data=data)


def test_every_role_sees_the_same_masking_on_the_page_and_in_the_api(cast, client, org):
    checked = masked_seen = 0
    for role, user in cast.items():
        client.force_login(user)
        page = client.get(reverse("orgs:organization-detail", args=[org.pk]))
        api = client.get(f"/api/v1/organizations/{org.pk}")
        assert (page.status_code == 200) == (api.status_code == 200), role
        if api.status_code != 200:
            assert page.status_code == 404 and api.status_code == 404, role
            continue
        checked += 1
        masked = api.json()["personal_data_masked"]
        assert masked == (not organization_view(user, org).sees_personal_data), role
        masked_seen += masked
        html, data = page.content.decode(), str(api.json())
        for secret in (REP_ID, REP_PHONE, ORG_PHONE):
            assert (secret in html) == (not masked), (role, secret)
            assert (secret in data) == (not masked), (role, secret)
        assert (OFFICER_ID in html) == (not masked), role
        assert OFFICER_ID not in data or not masked, role
    assert checked >= 8  # superuser, city, district, street, community, hub, reviewer, org user
    assert masked_seen >= 4  # street, community, hub, reviewer


def test_every_role_sees_the_same_masking_in_the_history_on_the_page_and_in_the_api(
    cast, client, org
):
    _change_phone(org, cast["city"])
    for role, user in cast.items():
        client.force_login(user)
        page = client.get(reverse("orgs:organization-detail", args=[org.pk]), {"tab": "history"})
        api = client.get(f"/api/v1/organizations/{org.pk}/history")
        as_of = client.get(f"/api/v1/organizations/{org.pk}/as-of", {"date": "2099-01-01"})
        assert (page.status_code == 200) == (api.status_code == 200), role
        if api.status_code != 200:
            continue
        shown = organization_view(user, org).sees_personal_data
        html = page.content.decode()
        changes = [c for c in api.json()["results"] if c["field"] == "phone"]
        assert changes, role
        for secret in (ORG_PHONE, NEW_ORG_PHONE):
            assert (secret in html) == shown, (role, secret)
            assert (secret in str(changes)) == shown, (role, secret)
        assert (as_of.json()["values"]["phone"] == NEW_ORG_PHONE) == shown, role


def test_a_street_sees_the_organisations_contact_phone_masked_as_the_api_always_did(
    cast, client, org
):
    client.force_login(cast["street"])

    html = client.get(reverse("orgs:organization-detail", args=[org.pk])).content.decode()

    assert ORG_PHONE not in html
    assert "139****1111" in html


def test_a_street_editing_its_group_keeps_the_contact_phone_it_may_not_see(cast, client, orgs):
    group = orgs["group"]
    group.phone = ORG_PHONE
    group.save()
    client.force_login(cast["street"])
    form = client.get(reverse("orgs:organization-edit", args=[group.pk])).context["form"]
    assert "phone" not in form.fields
    data = {name: value for name, value in form.initial.items() if name in form.fields}
    data["activity_area"] = "解放路街道"

    response = client.post(reverse("orgs:organization-edit", args=[group.pk]), data)

    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.activity_area, group.phone) == ("解放路街道", ORG_PHONE)


def test_the_record_view_says_who_may_edit_and_change_the_status(cast, org):
    assert organization_view(cast["district"], org).editable
    assert organization_view(cast["district"], org).may_change_status
    assert not organization_view(cast["street"], org).editable
    assert not organization_view(cast["hub"], org).may_change_status
    assert organization_view(cast["org_user"], org).sees_personal_data
    assert not organization_view(cast["org_user"], org).editable


def test_the_export_masks_the_contact_phone_for_whoever_the_page_masks_it(cast, org):
    street = str(list(export_rows(cast["street"], OrganizationFilters())))
    district = str(list(export_rows(cast["district"], OrganizationFilters())))

    assert ORG_PHONE not in street and "139****1111" in street
    assert ORG_PHONE in district
