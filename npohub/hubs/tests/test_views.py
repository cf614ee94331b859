"""Hub pages: the first-line review of a member (with a score), scope, revocation, coverage."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from npohub.hubs import services
from npohub.hubs.models import Federation, FirstLineReview, HubMembership, ServicePlatform
from npohub.orgs.models import AccessReason, OrganizationAccess
from npohub.orgs.tests.factories import OrganizationFactory
from npohub.regions.tests.factories import region

from .factories import DAY0, add_member, recognise
from .test_federations import make_federation

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(cast, regions, orgs):
    OrganizationAccess.objects.filter(user=cast["hub"], reason=AccessReason.HUB_MEMBER).delete()
    hub_org = OrganizationFactory(
        name="历下区社会组织服务中心",
        community=regions["c_jfq2"],
        authority_region=regions["lixia"],
    )
    hub = recognise(cast["city"], hub_org, region=regions["lixia"])
    services.hub_staff_add(actor=cast["city"], hub=hub, user=cast["hub"], valid_from=DAY0)
    membership = add_member(cast["city"], hub, orgs["assoc"])
    return {"hub": hub, "membership": membership, **orgs}


def review_url(world, membership=None):
    m = membership or world["membership"]
    return f"/hubs/{world['hub'].pk}/members/{m.pk}/review/"


def test_hub_staff_review_a_members_filing_and_score_it_on_the_page(cast, world):
    client = client_for(cast["hub"])
    page = client.get(review_url(world))
    assert page.status_code == 200
    assert "备案材料初审" in page.content.decode()
    response = client.post(
        review_url(world),
        {"subject": "registration.filing", "subject_id": "A-17", "opinion": "pass", "score": "9"},
    )
    assert response.status_code == 302
    row = FirstLineReview.objects.get()
    assert (row.subject, row.subject_id, row.score, row.organization) == (
        "registration.filing",
        "A-17",
        Decimal("9.00"),
        world["assoc"],
    )
    history = client_for(cast["district"]).get(review_url(world)).content.decode()
    assert "A-17" in history


def test_the_bureau_reads_the_reviews_but_cannot_record_one(cast, world):
    response = client_for(cast["district"]).post(
        review_url(world),
        {"subject": "registration.filing", "subject_id": "1", "opinion": "pass"},
    )
    assert response.status_code == 200
    assert "只有该枢纽在认定有效期内的工作人员可以代表民政局开展此项工作" in (
        response.content.decode()
    )
    assert not FirstLineReview.objects.exists()


def test_hub_staff_cannot_open_a_non_members_record(cast, world):
    client = client_for(cast["hub"])
    assert client.get(f"/orgs/{world['other'].pk}/").status_code == 404
    assert client.get(f"/orgs/{world['assoc'].pk}/").status_code == 200


def test_revocation_closes_the_review_page_at_once(cast, world):
    client = client_for(cast["hub"])
    assert client.get(review_url(world)).status_code == 200
    client_for(cast["district"]).post(f"/hubs/{world['hub'].pk}/revoke/", {"reason": "撤销"})
    assert client.get(review_url(world)).status_code == 404
    response = client.post(
        review_url(world), {"subject": "registration.filing", "subject_id": "1", "opinion": "pass"}
    )
    assert response.status_code == 404
    assert client.get(f"/orgs/{world['assoc'].pk}/").status_code == 404
    assert not FirstLineReview.objects.exists()


def test_a_member_who_left_cannot_be_reviewed(cast, world):
    services.hub_member_leave(actor=cast["city"], membership=world["membership"], left_on=DAY0)
    response = client_for(cast["hub"]).post(
        review_url(world), {"subject": "registration.filing", "subject_id": "1", "opinion": "pass"}
    )
    assert response.status_code == 200
    assert not FirstLineReview.objects.exists()


def test_the_agreement_is_recorded_from_the_roster(cast, world):
    other = add_member(cast["city"], world["hub"], world["other"])
    HubMembership.objects.filter(pk=other.pk).update(agreement_signed_on=None)
    client_for(cast["district"]).post(
        f"/hubs/{world['hub'].pk}/members/{other.pk}/agreement/",
        {"signed_on": "2024-03-01", "terms": "接受初审"},
    )
    other.refresh_from_db()
    assert (str(other.agreement_signed_on), other.agreement_terms) == ("2024-03-01", "接受初审")


def test_a_platform_is_set_up_and_its_visits_recorded_on_the_pages(cast, world):
    bureau = client_for(cast["district"])
    response = bureau.post(
        "/hubs/platforms/new/",
        {
            "name": "历下区社会组织服务平台",
            "level": "district",
            "region": "370102",
            "operator": world["hub"].pk,
            "opened_on": "2024-03-01",
            "offerings": ["incubation"],
        },
    )
    platform = ServicePlatform.objects.get()
    assert response["Location"] == f"/hubs/platforms/{platform.pk}/"
    client_for(cast["hub"]).post(
        f"/hubs/platforms/{platform.pk}/visits/",
        {"visited_on": "2024-04-01", "visitor": "淄博市民政局", "headcount": "6"},
    )
    assert "淄博市民政局" in bureau.get(f"/hubs/platforms/{platform.pk}/").content.decode()


def test_a_platform_at_the_wrong_level_shows_the_reason_next_to_the_field(cast, world):
    response = client_for(cast["district"]).post(
        "/hubs/platforms/new/",
        {
            "name": "平台",
            "level": "street",
            "region": "370102",
            "operator": world["hub"].pk,
            "opened_on": "2024-03-01",
        },
    )
    assert response.status_code == 200
    assert "区划级别与平台层级不一致" in response.content.decode()
    assert not ServicePlatform.objects.exists()


def test_the_coverage_page_equals_a_direct_count_at_city_district_and_street(cast, regions):
    """Jinan here: 历下区 with 3 streets (2 + one made here), 章丘区 with 1; federations in
    解放路 (street head) and 千佛山 (not the head)."""
    extra = region("370102003", "趵突泉街道")
    make_federation(
        cast["city"], regions["jiefangqiao"], OrganizationFactory(community=regions["c_jfq1"])
    )
    make_federation(
        cast["city"],
        regions["qianfoshan"],
        OrganizationFactory(community=regions["c_qfs1"]),
        head=False,
    )
    client = client_for(cast["city"])
    for prefix in ("3701", "370102", "370102001"):
        page = client.get("/hubs/coverage/", {"region": prefix}).context
        total = page["federations"]["total"]
        streets = (regions["jiefangqiao"], regions["qianfoshan"], regions["mingshui"], extra)
        direct_streets = sum(1 for s in streets if s.code.startswith(prefix))
        feds = Federation.objects.filter(street_code__startswith=prefix, dissolved_on__isnull=True)
        assert (total.streets, total.with_federation, total.chaired_by_head) == (
            direct_streets,
            feds.count(),
            feds.filter(chaired_by_street_head=True).count(),
        )
    city = client.get("/hubs/coverage/", {"region": "3701"}).context
    assert [(r.name, r.streets, r.with_federation) for r in city["federations"]["rows"]] == [
        ("历下区", 3, 2),
        ("章丘区", 1, 0),
    ]
    district = client.get("/hubs/coverage/", {"region": "370102"}).context
    assert [r.name for r in district["federations"]["rows"]] == [
        "解放路街道",
        "千佛山街道",
        "趵突泉街道",
    ]
    assert client.get("/hubs/coverage/", {"region": "370202"}).status_code == 404
