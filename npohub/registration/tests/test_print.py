"""Print pages of an application (its form, then its decision) and of a certificate: open for
exactly those who open the application or the organisation, masked as their pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from npohub.registration import services
from npohub.registration.permissions import application_view
from npohub.registration.tests.factories import ESTABLISHMENT_DOCS, attach, establishment

from .test_workflow import accepted, task

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"
D0 = dt.date(2026, 3, 2)


def test_the_application_print_page_opens_and_masks_as_the_applications_page(cast, client):
    app = establishment(cast["resident"])
    attach(app, cast["resident"], *ESTABLISHMENT_DOCS)
    services.application_transition(actor=cast["resident"], app=app, transition="submit")
    opened = set()
    for role, user in cast.items():
        client.force_login(user)
        page = client.get(reverse("registration:application-detail", args=[app.pk]))
        printed = client.get(reverse("registration:application-print", args=[app.pk]))
        assert printed.status_code == page.status_code, role
        if printed.status_code != 200:
            assert printed.status_code == 404, role
            continue
        opened.add(role)
        html = printed.content.decode()
        sees = application_view(user, app).sees_personal_data
        assert (ID in html) == sees, role
        if not sees:
            assert "110105********002X" in html, role
        assert "成立登记申请表" in html and app.number in html and app.name in html, role
        assert "历下区民政局" in html, role
        assert reverse("registration:application-print", args=[app.pk]) in page.content.decode()
    assert {"resident", "district", "city"} <= opened


def test_a_refused_application_prints_as_the_refusal_with_its_reason(cast, client, depts):
    app = accepted(cast, depts)
    for key in ("approval", "party", "industry"):
        services.review_opinion_give(
            actor=depts["users"][key], task=task(app, depts, key), opinion="agree"
        )
    services.application_transition(
        actor=cast["district"], app=app, transition="reject", note="章程草案不符合规定", today=D0
    )
    client.force_login(cast["resident"])
    html = client.get(reverse("registration:application-print", args=[app.pk])).content.decode()
    assert "不予成立登记决定书" in html and "章程草案不符合规定" in html
    assert "决定不予成立登记" in html and 'class="print-sign"' in html


def test_the_certificate_print_page_follows_the_organisations_scope(cast, client, orgs):
    cert = services.certificate_issue(org=orgs["assoc"], app=None, today=D0)
    url = reverse("certificates:print", args=[cert.pk])
    current = reverse("certificates:current-print", args=[orgs["assoc"].pk])
    client.force_login(cast["district"])
    html = client.get(url).content.decode()
    assert orgs["assoc"].name in html and cert.number in html and "2026年3月2日" in html
    assert client.get(current).status_code == 200
    organisation_page = client.get(reverse("orgs:organization-detail", args=[orgs["assoc"].pk]))
    assert current in organisation_page.content.decode()
    for outsider in ("qingdao", "district_out", "resident"):
        client.force_login(cast[outsider])
        assert client.get(url).status_code == 404, outsider
        assert client.get(current).status_code == 404, outsider


def test_an_organisation_without_a_certificate_has_no_certificate_print_page(cast, client, orgs):
    client.force_login(cast["district"])
    current = reverse("certificates:current-print", args=[orgs["assoc"].pk])
    assert client.get(current).status_code == 404
