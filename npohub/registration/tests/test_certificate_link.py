"""The organisation page offers "下载登记证书" only when the platform holds a valid certificate
for it: organisations registered before the platform (paper certificates) and closed ones get
no link, so the link never leads to a 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from npohub.registration import services

pytestmark = pytest.mark.django_db

D0 = dt.date(2026, 3, 2)
LABEL = "下载登记证书"


def _page(client, user, org) -> str:
    client.force_login(user)
    return client.get(reverse("orgs:organization-detail", args=[org.pk])).content.decode()


def test_an_organisation_without_a_certificate_issued_here_shows_no_download_link(
    client, cast, orgs
):
    html = _page(client, cast["district"], orgs["assoc"])

    assert LABEL not in html
    assert reverse("certificates:current-pdf", args=[orgs["assoc"].pk]) not in html


@pytest.mark.parametrize("who", ["district", "org_user", "hub"])
def test_an_organisation_with_a_current_certificate_links_to_a_download_that_works(
    client, cast, orgs, who
):
    services.certificate_issue(org=orgs["assoc"], app=None, today=D0)
    url = reverse("certificates:current-pdf", args=[orgs["assoc"].pk])

    html = _page(client, cast[who], orgs["assoc"])

    assert LABEL in html and f'href="{url}"' in html
    assert client.get(url).status_code == 200


def test_a_voided_certificate_is_not_offered_for_download(client, cast, orgs):
    services.certificate_issue(org=orgs["assoc"], app=None, today=D0)
    services.certificate_void(org=orgs["assoc"], today=D0, reason="注销登记")

    assert LABEL not in _page(client, cast["district"], orgs["assoc"])
