"""/api/v1/party/: the same services and visibility as the pages, errors as {code, message, details}."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from npohub.orgs.tests.factories import OrganizationFactory
from npohub.party.models import PartyOrganization, StaffPartyMembers, Tier

from .factories import assign, instructor, party_org, staff_members

pytestmark = pytest.mark.django_db
BASE = "/api/v1/party"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_creating_an_own_branch_with_two_members_answers_422_with_the_rule(cast, orgs):
    assign(cast["party"], orgs["assoc"])
    response = post(
        client_for(cast["party"]),
        f"{BASE}/organizations",
        {
            "name": "测试党支部",
            "tier": "own_branch",
            "established_on": "2024-01-01",
            "host_organization_id": orgs["assoc"].pk,
            "formal_members": 2,
        },
    )
    assert response.status_code == 422
    assert response.json() == {
        "code": "party.own_branch_too_few_members",
        "message": "独立党支部须有正式党员3名以上（现有2名）；不足3名的单位应组建或加入联合党支部",
        "details": {"formal_members": "无效"},
    }
    assert PartyOrganization.objects.count() == 0


def test_a_joint_branch_over_five_units_answers_422(cast, regions):
    ids = [OrganizationFactory(community=regions["c_jfq1"]).pk for _ in range(6)]
    response = post(
        client_for(cast["city"]),
        f"{BASE}/organizations",
        {
            "name": "联合党支部",
            "tier": "joint_branch",
            "region_code": "370102001002",
            "established_on": "2024-01-01",
            "formal_members": 3,
            "covered_organization_ids": ids,
        },
    )
    assert response.status_code == 422
    assert response.json()["code"] == "party.joint_branch_too_many_units"
    assert PartyOrganization.objects.count() == 0


def test_creating_and_reading_a_branch(cast, orgs):
    assign(cast["party"], orgs["assoc"])
    client = client_for(cast["party"])
    response = post(
        client,
        f"{BASE}/organizations",
        {
            "name": "协会党支部",
            "tier": "own_branch",
            "established_on": "2024-01-01",
            "host_organization_id": orgs["assoc"].pk,
            "formal_members": 3,
            "secretary_name": "王书记",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["tier_label"], body["secretary"], body["covered_units"]) == (
        "独立党支部",
        "王书记",
        1,
    )
    listed = client.get(f"{BASE}/organizations").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]


@pytest.mark.parametrize("who", ["hub", "org_user", "street", "reviewer"])
def test_everyone_outside_party_building_gets_404_from_the_api(cast, orgs, who):
    po = party_org(host=orgs["assoc"])
    client = client_for(cast[who])
    for url in [
        f"{BASE}/organizations",
        f"{BASE}/organizations/{po.pk}",
        f"{BASE}/coverage",
        f"{BASE}/missing",
        f"{BASE}/units/{orgs['assoc'].pk}",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
    response = post(
        client,
        f"{BASE}/units/{orgs['assoc'].pk}/staff-members",
        {"as_of": "2024-01-01", "formal_members": 5},
    )
    assert response.status_code == 404
    assert StaffPartyMembers.objects.count() == 0


def test_coverage_figures_come_as_fractions_with_their_definitions(cast, orgs):
    staff_members(orgs["assoc"], 3)
    staff_members(orgs["other"], 4)
    party_org(host=orgs["assoc"])
    instructor(orgs["group"])
    body = client_for(cast["district"]).get(f"{BASE}/coverage?on=2025-01-01").json()
    assert body["region_code"] == "370102000000"
    assert (body["total"]["should_have"], body["total"]["formed"]) == (2, 1)
    assert body["total"]["formation_rate"] == "1/2"
    # assoc, group and other are in 历下区: assoc (branch) and group (instructor) are covered
    assert body["total"]["work_coverage"] == "2/3"
    assert set(body["definitions"]) == {"formation_rate", "work_coverage", "note"}


def test_missing_list_and_caseload(cast, orgs):
    staff_members(orgs["assoc"], 3)
    instructor(orgs["assoc"], orgs["other"])
    assign(cast["party"], orgs["assoc"], orgs["other"])
    client = client_for(cast["party"])
    missing = client.get(f"{BASE}/missing").json()
    assert [r["organization"]["id"] for r in missing["results"]] == [orgs["assoc"].pk]
    caseload = client.get(f"{BASE}/caseload").json()
    assert (caseload["instructors"], caseload["assignments"], caseload["per_instructor"]) == (
        1,
        2,
        "2/1",
    )


def test_industry_committees_are_listed_separately(cast, orgs):
    committee = party_org(Tier.COMMITTEE, host=orgs["assoc"], formal=150)
    PartyOrganization.objects.filter(pk=committee.pk).update(industry="养老服务")
    party_org(host=orgs["other"])
    body = client_for(cast["city"]).get(f"{BASE}/industry-committees").json()
    assert [r["industry"] for r in body["results"]] == ["养老服务"]
