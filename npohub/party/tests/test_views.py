"""Party pages: strict visibility (404 for everyone outside party building), forms, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from npohub.core.models import AuditEvent
from npohub.orgs.tests.factories import OrganizationFactory, grant
from npohub.party.models import PartyMemberCount, PartyOrganization, StaffPartyMembers, Tier

from .factories import assign, hub_for, instructor, party_org, staff_members

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def branch(orgs):
    staff_members(orgs["assoc"], 4)
    return party_org(host=orgs["assoc"], formal=4)


def pages(po, org):
    return [
        reverse("party:coverage"),
        reverse("party:missing-list"),
        reverse("party:missing-list") + "?view=uncovered",
        reverse("party:organization-list"),
        reverse("party:organization-detail", args=[po.pk]),
        reverse("party:industry-committee-list"),
        reverse("party:unit-detail", args=[org.pk]),
        reverse("party:station-list"),
        reverse("party:instructor-list"),
    ]


@pytest.mark.parametrize(
    "who", ["hub", "org_user", "street", "community", "reviewer", "inspector", "resident"]
)
def test_party_pages_are_a_404_for_everyone_outside_party_building(cast, orgs, branch, who):
    client = client_for(cast[who])
    for url in pages(branch, orgs["assoc"]):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("who", ["party", "city", "district", "admin"])
def test_party_officers_and_the_bureau_see_the_party_pages(cast, orgs, branch, who):
    assign(cast["party"], orgs["assoc"])  # the party officer's units
    client = client_for(cast[who])
    for url in pages(branch, orgs["assoc"]):
        assert client.get(url).status_code == 200, url


def test_a_bureau_outside_the_region_gets_a_404_for_the_branch_and_the_unit(cast, orgs, branch):
    client = client_for(cast["district_out"])
    assert client.get(reverse("party:organization-detail", args=[branch.pk])).status_code == 404
    assert client.get(reverse("party:unit-detail", args=[orgs["assoc"].pk])).status_code == 404


def test_a_party_officer_with_grants_only_sees_the_granted_units(cast, orgs, branch, regions):
    from npohub.accounts.models import Role
    from npohub.accounts.tests.factories import UserFactory

    officer = UserFactory(role=Role.PARTY_OFFICER)
    grant(officer, orgs["assoc"], "party")
    client = client_for(officer)
    assert client.get(reverse("party:organization-detail", args=[branch.pk])).status_code == 200
    assert client.get(reverse("party:unit-detail", args=[orgs["assoc"].pk])).status_code == 200
    assert client.get(reverse("party:unit-detail", args=[orgs["other"].pk])).status_code == 404
    page = client.get(reverse("party:organization-list"))
    assert list(page.context["page_obj"]) == [branch]


def test_the_create_form_shows_the_refusal_for_an_own_branch_with_two_members(cast, orgs):
    assign(cast["party"], orgs["assoc"])
    response = client_for(cast["party"]).post(
        reverse("party:organization-create"),
        {
            "name": "测试党支部",
            "tier": Tier.OWN_BRANCH,
            "host_organization": orgs["assoc"].uscc,
            "established_on": "2024-01-01",
            "formal_members": 2,
            "probationary_members": 0,
            "activists": 0,
        },
    )
    assert response.status_code == 200
    assert "独立党支部须有正式党员3名以上（现有2名）；不足3名的单位应组建或加入联合党支部" in (
        response.content.decode()
    )
    assert PartyOrganization.objects.count() == 0


def test_the_create_form_sets_up_a_joint_branch_from_a_list_of_codes(cast, regions):
    units = [OrganizationFactory(community=regions["c_jfq1"]) for _ in range(2)]
    assign(cast["party"], *units)
    response = client_for(cast["party"]).post(
        reverse("party:organization-create"),
        {
            "name": "联合党支部",
            "tier": Tier.JOINT_BRANCH,
            "region_code": "370102001002",
            "established_on": "2024-01-01",
            "formal_members": 3,
            "probationary_members": 1,
            "activists": 0,
            "covered": "\n".join(u.uscc for u in units),
        },
    )
    po = PartyOrganization.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("party:organization-detail", args=[po.pk])
    assert sorted(po.coverages.values_list("organization_id", flat=True)) == sorted(
        u.pk for u in units
    )


def test_a_hub_user_posting_counts_gets_a_404_and_nothing_changes(cast, branch):
    response = client_for(cast["hub"]).post(
        reverse("party:organization-counts", args=[branch.pk]),
        {"as_of": "2024-06-01", "formal_members": 9, "probationary_members": 0, "activists": 0},
    )
    assert response.status_code == 404
    assert PartyMemberCount.objects.count() == 0
    branch.refresh_from_db()
    assert branch.formal_members == 4


def test_recording_staff_members_from_the_unit_page_is_audited(cast, orgs):
    response = client_for(cast["district"]).post(
        reverse("party:unit-staff-members", args=[orgs["assoc"].pk]),
        {"as_of": "2024-06-01", "formal_members": 3, "source": "年度报告"},
    )
    assert response.status_code == 302
    assert StaffPartyMembers.objects.get().formal_members == 3
    event = AuditEvent.objects.get(kind="party.staff_members_recorded")
    assert event.actor == cast["district"]


def test_the_coverage_page_writes_out_both_definitions_and_the_chart(cast, orgs, branch):
    response = client_for(cast["city"]).get(reverse("party:coverage"))
    html = response.content.decode()
    assert "组建率" in html and "工作覆盖率" in html
    assert "全国尚无统一的党建覆盖率计算公式" in html
    assert 'data-chart-source="party-chart-data"' in html
    assert "vendor/echarts/echarts.min.js" in html
    assert [row["label"] for row in response.context["children"]] == ["历下区", "章丘区"]


def test_list_pages_need_a_bounded_number_of_queries(
    cast, orgs, regions, django_assert_max_num_queries
):
    client = client_for(cast["city"])
    for i in range(12):
        unit = OrganizationFactory(community=regions["c_jfq1"])
        staff_members(unit, 3 + i)
        if i % 2:
            party_org(host=unit, formal=3 + i)
        instructor(unit)
    hub_for(orgs["assoc"])
    for url in [
        reverse("party:organization-list"),
        reverse("party:missing-list"),
        reverse("party:missing-list") + "?view=uncovered",
        reverse("party:instructor-list"),
        reverse("party:station-list"),
        reverse("party:coverage"),
    ]:
        with django_assert_max_num_queries(16):
            assert client.get(url).status_code == 200


def test_the_missing_list_shows_units_from_three_members(cast, orgs, regions):
    staff_members(orgs["assoc"], 3, dt.date(2024, 3, 1))
    staff_members(orgs["other"], 2, dt.date(2024, 3, 1))
    assign(cast["party"], orgs["assoc"], orgs["other"])
    response = client_for(cast["party"]).get(reverse("party:missing-list"))
    assert [org.pk for org, _row in response.context["page_obj"]] == [orgs["assoc"].pk]
