"""The 三项清单 links on the federation pages appear only for users who may open the lists, so a
party officer browsing federations is not sent to a 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from npohub.orgs.models import AccessReason
from npohub.orgs.tests.factories import OrganizationFactory, grant

from .test_federations import make_federation

pytestmark = pytest.mark.django_db


@pytest.fixture
def federation(cast, regions):
    org = OrganizationFactory(name="解放路街道社区社会组织联合会", community=regions["c_jfq1"])
    return make_federation(cast["street"], regions["jiefangqiao"], org)


def _html(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_party_officer_sees_the_federations_without_links_to_lists_they_cannot_open(
    client, cast, federation
):
    grant(cast["party"], federation.organization, AccessReason.PARTY)  # its assignment
    lists = reverse("hubs:street-lists", args=[federation.street_code])
    for url in (
        reverse("hubs:federation-list"),
        reverse("hubs:federation-detail", args=[federation.pk]),
    ):
        assert lists not in _html(client, cast["party"], url)
    assert client.get(lists).status_code == 404


@pytest.mark.parametrize("who", ["street", "district"])
def test_the_street_office_and_its_bureau_follow_the_list_link_to_the_lists(
    client, cast, federation, who
):
    lists = reverse("hubs:street-lists", args=[federation.street_code])
    for url in (
        reverse("hubs:federation-list"),
        reverse("hubs:federation-detail", args=[federation.pk]),
    ):
        assert f'href="{lists}"' in _html(client, cast[who], url)
    assert client.get(lists).status_code == 200
