"""The party officer is a grant role (issue 20, finding 4): it sees the hubs whose organisation
it is assigned (a ``party`` grant) inside its own region, and what hangs on them, and nothing
else; staff user names and first-line opinions and scores are not its business."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from npohub.accounts.tests.factories import UserFactory
from npohub.hubs import services
from npohub.orgs.models import AccessReason
from npohub.orgs.tests.factories import CommunityGroupFactory, OrganizationFactory, grant

from .factories import DAY0, add_member, recognise

pytestmark = pytest.mark.django_db
API = "/api/v1/hubs"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _platform(actor, hub, region, name):
    return services.platform_create(
        actor=actor,
        data=services.PlatformInput(
            name=name,
            level="district",
            region=region,
            operator=hub,
            opened_on=DAY0,
            offerings=[],
        ),
    )


def _federation(actor, street, org):
    return services.federation_create(
        actor=actor,
        street=street,
        organization=org,
        data=services.FederationInput(established_on=DAY0, decision_number=f"{street.name}1号"),
    )


@pytest.fixture
def world(cast, regions, orgs):
    """济南's party officer is assigned the 历下区 hub, the 解放桥 federation and the 青岛 hub
    (outside its region); the 章丘 hub and the 明水 federation, in the same city, it is not."""
    admin = cast["admin"]
    r = regions
    mine_org = OrganizationFactory(name="历下区党建服务中心", community=r["c_jfq2"])
    mine = recognise(admin, mine_org, kind="party", region=r["lixia"])
    other_org = OrganizationFactory(name="章丘区社会组织服务中心", community=r["c_ms_village"])
    other = recognise(admin, other_org, region=r["zhangqiu"])
    far_org = OrganizationFactory(name="青岛市南区党建服务中心", community=r["qd_comm"])
    far = recognise(admin, far_org, kind="party", region=r["shinan"])
    staff = UserFactory(username="lixia_hub_staff", role="hub_staff")
    services.hub_staff_add(actor=admin, hub=mine, user=staff, valid_from=DAY0)
    add_member(admin, mine, orgs["assoc"])
    add_member(admin, other, orgs["far"])
    services.hub_review_record(
        actor=staff,
        hub=mine,
        organization=orgs["assoc"],
        subject="registration.filing",
        subject_id="初审-7",
        opinion="concern",
        comment="材料不全",
        score=Decimal("61"),
    )
    fed_org = CommunityGroupFactory(name="解放桥街道社会组织联合会", community=r["c_jfq1"])
    fed = _federation(admin, r["jiefangqiao"], fed_org)
    other_fed_org = CommunityGroupFactory(
        name="明水街道社会组织联合会", community=r["c_ms_village"]
    )
    other_fed = _federation(admin, r["mingshui"], other_fed_org)
    platforms = {
        "mine": _platform(admin, mine, r["lixia"], "历下区党建服务平台"),
        "other": _platform(admin, other, r["zhangqiu"], "章丘区社会组织服务平台"),
    }
    officer = cast["party"]
    for org in (mine_org, fed_org, far_org):
        grant(officer, org, AccessReason.PARTY)
    return {
        "mine": mine,
        "other": other,
        "far": far,
        "staff": staff,
        "fed": fed,
        "other_fed": other_fed,
        "platforms": platforms,
    }


def test_the_hub_lists_show_the_party_officer_its_assigned_hubs_in_its_region_only(cast, world):
    client = client_for(cast["party"])
    page = client.get(reverse("hubs:hub-list")).content.decode()
    assert "历下区党建服务中心" in page
    assert "章丘区社会组织服务中心" not in page
    assert "青岛市南区党建服务中心" not in page
    listed = client.get(f"{API}/hubs").json()
    # the federation of 解放桥 is the street's hub: assigned too
    assert sorted(h["name"] for h in listed["results"]) == sorted(
        ["历下区党建服务中心", "解放桥街道社会组织联合会"]
    )
    for hub in (world["other"], world["far"]):
        assert client.get(reverse("hubs:hub-detail", args=[hub.pk])).status_code == 404
        assert client.get(f"{API}/hubs/{hub.pk}").status_code == 404
        assert client.get(f"{API}/hubs/{hub.pk}/members").status_code == 404


def test_federations_and_platforms_are_those_of_the_party_officers_assignment(cast, world):
    client = client_for(cast["party"])
    feds = client.get(reverse("hubs:federation-list")).content.decode()
    assert "解放桥街道社会组织联合会" in feds and "明水街道社会组织联合会" not in feds
    api_feds = client.get(f"{API}/federations").json()["results"]
    assert [f["name"] for f in api_feds] == ["解放桥街道社会组织联合会"]
    other_fed = world["other_fed"].pk
    assert client.get(reverse("hubs:federation-detail", args=[other_fed])).status_code == 404
    platforms = client.get(reverse("hubs:platform-list")).content.decode()
    assert "历下区党建服务平台" in platforms and "章丘区社会组织服务平台" not in platforms
    api_platforms = client.get(f"{API}/platforms").json()["results"]
    assert [p["name"] for p in api_platforms] == ["历下区党建服务平台"]
    other_platform = world["platforms"]["other"].pk
    assert client.get(reverse("hubs:platform-detail", args=[other_platform])).status_code == 404


def test_the_party_officer_reads_its_hubs_roster_but_not_staff_names_or_first_line_reviews(
    cast, world, orgs
):
    client = client_for(cast["party"])
    hub = world["mine"]
    page = client.get(reverse("hubs:hub-detail", args=[hub.pk])).content.decode()
    assert orgs["assoc"].name in page  # the roster
    assert str(world["staff"]) not in page and "lixia_hub_staff" not in page
    assert client.get(f"{API}/hubs/{hub.pk}/members").status_code == 200
    assert client.get(f"{API}/hubs/{hub.pk}/staff").status_code == 403
    assert client.get(f"{API}/hubs/{hub.pk}/reviews").status_code == 403
    membership = hub.memberships.get()
    review = client.get(reverse("hubs:member-review", args=[hub.pk, membership.pk]))
    assert review.status_code == 403
    assert "初审-7" not in review.content.decode()


def test_the_bureau_still_reads_staff_names_and_reviews_of_a_hub_in_its_region(cast, world):
    client = client_for(cast["district"])
    hub = world["mine"]
    page = client.get(reverse("hubs:hub-detail", args=[hub.pk])).content.decode()
    assert str(world["staff"]) in page
    staff = client.get(f"{API}/hubs/{hub.pk}/staff").json()
    assert [s["username"] for s in staff] == ["lixia_hub_staff"]
    reviews = client.get(f"{API}/hubs/{hub.pk}/reviews").json()["results"]
    assert [r["subject_id"] for r in reviews] == ["初审-7"]


def test_a_party_officer_without_assignments_sees_no_hub_and_coverage_only_of_its_region(
    cast, world
):
    officer = UserFactory(username="party2", role="party_officer", region=cast["party"].region)
    client = client_for(officer)
    assert client.get(f"{API}/hubs").json()["count"] == 0
    assert client.get(f"{API}/platforms").json()["count"] == 0
    assert client.get(f"{API}/federations").json()["count"] == 0
    assert client.get(reverse("hubs:coverage") + "?region=370202").status_code == 404
    assert client.get(f"{API}/coverage?region=370202").status_code == 404
    assert client.get(f"{API}/coverage?region=370102").status_code == 200


def test_pairings_are_listed_for_the_party_officer_only_when_they_involve_its_organisations(
    cast, world, regions, orgs
):
    senior = OrganizationFactory(
        name="济南市社工协会", community=regions["c_qfs1"], management_level="city"
    )
    services.pairing_create(
        actor=cast["admin"],
        senior=senior,
        community_group=orgs["group"],
        topic="助老服务",
        started_on=DAY0,
    )
    client = client_for(cast["party"])
    assert client.get(f"{API}/pairings").json()["count"] == 0
    grant(cast["party"], orgs["group"], AccessReason.PARTY)
    assert client.get(f"{API}/pairings").json()["count"] == 1


def test_a_party_officer_posting_a_review_changes_nothing(cast, world, orgs):
    from npohub.hubs.models import FirstLineReview

    before = FirstLineReview.objects.count()
    response = client_for(cast["party"]).post(
        f"{API}/hubs/{world['mine'].pk}/reviews",
        data=json.dumps(
            {
                "organization_id": orgs["assoc"].pk,
                "subject": "registration.filing",
                "subject_id": "1",
                "opinion": "pass",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code in (403, 404)
    assert FirstLineReview.objects.count() == before
