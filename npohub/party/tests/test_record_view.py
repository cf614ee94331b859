"""One view of an instructor and of a party organisation: the page and the API mask the same
phones for every role (``instructor_view``, ``party_organization_view``)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from npohub.orgs.models import Person
from npohub.party.permissions import instructor_view, party_organization_view

from .factories import assign, instructor, party_org

pytestmark = pytest.mark.django_db
API = "/api/v1/party"
PHONE = "13812345678"
SECRETARY = "13987654321"


@pytest.fixture
def records(cast, orgs):
    assign(cast["party"], orgs["assoc"])
    ins = instructor(orgs["assoc"], region_code="370102000000")
    Person.objects.filter(pk=ins.person_id).update(phone=PHONE)
    po = party_org(host=orgs["assoc"])
    po.secretary = Person.objects.create(name="王书记", phone=SECRETARY)
    po.save(update_fields=["secretary"])
    ins.refresh_from_db()
    return ins, po


def _agree(client, page_url, api_url, phone, sees) -> bool | None:
    """None when neither shows the record; else whether the phone is masked (both agree)."""
    page = client.get(page_url)
    api = client.get(api_url)
    assert (page.status_code == 200) == (api.status_code == 200)
    if api.status_code != 200:
        return None
    masked = api.json()["personal_data_masked"]
    assert masked == (not sees)
    assert (phone in page.content.decode()) == (not masked)
    assert (phone in str(api.json())) == (not masked)
    assert (phone[-4:] in page.content.decode()) and (phone[-4:] in str(api.json()))
    return masked


def test_every_role_sees_the_same_phones_on_the_pages_and_in_the_api(cast, records):
    ins, po = records
    shown: dict[str, tuple[bool | None, bool | None]] = {}
    for role, user in cast.items():
        client = Client()
        client.force_login(user)
        instructor_masked = _agree(
            client,
            reverse("party:instructor-detail", args=[ins.pk]),
            f"{API}/instructors/{ins.pk}",
            PHONE,
            instructor_view(user, ins).sees_phone,
        )
        secretary_masked = _agree(
            client,
            reverse("party:organization-detail", args=[po.pk]),
            f"{API}/organizations/{po.pk}",
            SECRETARY,
            party_organization_view(user, po).sees_phone,
        )
        shown[role] = (instructor_masked, secretary_masked)
    # the bureaus of 历下区 keep both; the party officer keeps its unit's branch only
    assert shown["district"] == (False, False) and shown["city"] == (False, False)
    assert shown["party"] == (True, False)
    assert shown["district_out"] == (None, None) and shown["hub"] == (None, None)
