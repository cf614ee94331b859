"""One view of a complaint and of a penalty case: the page and the API show the same, and mask
the same personal data, for every role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from npohub.enforcement import services
from npohub.enforcement.permissions import case_view, complaint_view
from npohub.orgs.models import AccessReason, OrganizationAccess

from .factories import complaint

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
ID = "37010219800101123X"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_role_sees_a_complaints_contact_the_same_on_the_page_and_in_the_api(cast, orgs):
    c = complaint(orgs["assoc"], contact=PHONE)
    services.complaint_transition(actor=cast["district"], complaint=c, transition="accept")
    c = services.complaint_assign(actor=cast["district"], complaint=c, assignee=cast["street"])
    opened = set()
    for role, user in cast.items():
        client = _client(user)
        page = client.get(reverse("enforcement:complaint-detail", args=[c.pk]))
        api = client.get(f"/api/v1/enforcement/complaints/{c.pk}")
        assert (page.status_code == 200) == (api.status_code == 200), role
        if api.status_code != 200:
            assert {page.status_code, api.status_code} == {404}, role
            continue
        opened.add(role)
        view = complaint_view(user, c)
        body = api.json()
        assert body["personal_data_masked"] == (not view.sees_personal_data), role
        assert body["contact"] == view.contact(c), role
        assert view.contact(c) in page.content.decode(), role
        assert (PHONE in page.content.decode()) == view.sees_personal_data, role
    # The bureaus of the place and the street officer it is assigned to work it, and only they
    # open it: each of them needs the contact to verify and answer.
    assert opened == {"admin", "city", "district", "street"}


def test_a_complaints_contact_is_masked_for_whoever_does_not_work_it(cast, orgs):
    c = complaint(orgs["assoc"], contact=PHONE)
    assert complaint_view(cast["district"], c).contact(c) == PHONE
    stranger = complaint_view(cast["district_out"], c)
    assert not stranger.sees_personal_data and stranger.held == frozenset()
    assert stranger.contact(c) == "139****5678"
    c.contact = "zhang.san@example.com"
    assert stranger.contact(c) == "z***@example.com"


def _case_from_a_complaint(cast, orgs):
    """A case against the association, from a complaint, with a person barred from office, at
    the prior notice (from when the organisation itself reads it)."""
    district = cast["district"]
    c = complaint(orgs["assoc"])
    services.complaint_transition(actor=district, complaint=c, transition="accept")
    on = timezone.localdate() - dt.timedelta(days=1)
    case = services.case_open(
        actor=district, organization=orgs["assoc"], title="违规收费", complaint=c, today=on
    )
    services.case_transition(actor=district, case=case, transition="investigate", today=on)
    services.sanction_add(
        actor=district,
        case=case,
        kind="bar_person",
        person_name="张三",
        person_id_number=ID,
        today=on,
    )
    services.case_transition(actor=district, case=case, transition="notify", today=on)
    case.refresh_from_db()
    return case, c


def test_every_role_sees_a_case_the_same_on_the_page_and_in_the_api(cast, orgs):
    case, c = _case_from_a_complaint(cast, orgs)
    opened = set()
    for role, user in cast.items():
        client = _client(user)
        page = client.get(reverse("enforcement:case-detail", args=[case.pk]))
        api = client.get(f"/api/v1/enforcement/cases/{case.pk}")
        assert (page.status_code == 200) == (api.status_code == 200), role
        if api.status_code != 200:
            assert {page.status_code, api.status_code} == {404}, role
            continue
        opened.add(role)
        view = case_view(user, case)
        text, body = page.content.decode(), api.json()
        [sanction] = body["sanctions"]
        assert body["personal_data_masked"] == (not view.sees_personal_data), role
        assert sanction["person_id_number"] == view.person_id_number(case.sanctions.get()), role
        assert (ID in text) == (ID in str(body)) == view.sees_personal_data, role
        assert sanction["person_id_number"] in text, role
        assert body["editable"] == view.editable, role
        # The complaint's tracking number is the complainant's key to the public lookup.
        assert (c.number in text) == view.sees_complaints, role
    assert opened == {"admin", "city", "district", "org_user"}
    org_side = case_view(cast["org_user"], case)
    assert not org_side.manages and not org_side.sees_personal_data
    assert org_side.person_id_number(case.sanctions.get()) == "370102********123X"


def test_an_organisation_account_whose_grant_has_ended_no_longer_reads_its_cases(cast, orgs):
    """The case list once read every OWN grant, ended or not; it reads the one scope now (the
    grants valid today), as every other page does."""
    case, _c = _case_from_a_complaint(cast, orgs)
    client = _client(cast["org_user"])
    assert client.get(f"/api/v1/enforcement/cases/{case.pk}").status_code == 200
    OrganizationAccess.objects.filter(
        user=cast["org_user"], organization=orgs["assoc"], reason=AccessReason.OWN
    ).update(valid_until=timezone.localdate() - dt.timedelta(days=1))

    assert client.get(f"/api/v1/enforcement/cases/{case.pk}").status_code == 404
    assert client.get(reverse("enforcement:case-detail", args=[case.pk])).status_code == 404
    assert client.get("/api/v1/enforcement/cases").json()["count"] == 0
