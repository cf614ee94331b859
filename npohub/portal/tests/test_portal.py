from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from npohub.orgs.models import Organization, Person, Status
from npohub.orgs.tests.factories import CommunityGroupFactory, OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db

ID_NUMBER = "370102198001011234"
PERSON_PHONE = "13812345678"
ORG_PHONE = "0531-86001234"


@pytest.fixture
def registry(orgs, regions):
    """The shared orgs plus one with personal data on record and one deregistered."""
    person = PersonFactory(name="王丽华", id_number=ID_NUMBER, phone=PERSON_PHONE)
    private = OrganizationFactory(
        name="历下区养老助残志愿者协会",
        community=regions["c_jfq2"],
        legal_representative=person,
        phone=ORG_PHONE,
    )
    closed = OrganizationFactory(
        name="历下区养老服务中心",
        community=regions["c_qfs1"],
        status=Status.DEREGISTERED,
        status_changed_on=dt.date(2023, 5, 1),
    )
    return {**orgs, "private": private, "closed": closed}


def test_anonymous_visitor_searches_the_register(client, registry):
    response = client.get(reverse("portal:home"), {"q": "养老"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "社会组织信息公开查询" in html
    assert "历下区养老服务协会" in html
    assert "历下区养老助残志愿者协会" in html
    assert "章丘区文化艺术协会" not in html
    assert registry["assoc"].uscc in html


def test_search_filters_by_kind_status_and_district(client, registry, regions):
    CommunityGroupFactory(name="章丘区明水养老互助队", community=regions["c_ms_village"])

    groups = client.get(reverse("portal:home"), {"kind": "community_group"})
    closed = client.get(reverse("portal:home"), {"q": "养老", "status": "deregistered"})
    zhangqiu = client.get(reverse("portal:home"), {"region": "370114000000"})

    def names(response):
        return {o.name for o in response.context["page"]}

    assert names(groups) == {"章丘区明水养老互助队", "解放桥社区舞蹈队"}
    assert names(closed) == {"历下区养老服务中心"}
    assert names(zhangqiu) == {"章丘区文化艺术协会", "章丘区明水养老互助队"}


def test_landing_lists_newest_first_and_a_search_lists_by_name_in_pinyin_order(client, regions):
    OrganizationFactory(
        name="乙协会", community=regions["c_jfq1"], registration_date=dt.date(2024, 1, 1)
    )
    OrganizationFactory(
        name="甲协会", community=regions["c_jfq1"], registration_date=dt.date(2019, 1, 1)
    )
    OrganizationFactory(
        name="丙协会", community=regions["c_jfq1"], registration_date=dt.date(2022, 1, 1)
    )

    landing = client.get(reverse("portal:home"))
    search = client.get(reverse("portal:home"), {"q": "协会"})

    assert [o.name for o in landing.context["page"]] == ["乙协会", "丙协会", "甲协会"]
    assert "最新登记（备案）的社会组织" in landing.content.decode()
    by_name = Organization.objects.filter(name__endswith="协会").order_by("name_pinyin", "id")
    assert [o.name for o in search.context["page"]] == [o.name for o in by_name]
    assert [o.name for o in by_name] == ["丙协会", "甲协会", "乙协会"]  # bing3 < jia3 < yi3


def test_a_region_outside_the_city_is_not_a_filter_choice(client, registry):
    response = client.get(reverse("portal:home"), {"region": "370202000000"})

    assert response.context["form"].errors
    assert response.status_code == 200


def test_results_are_paginated(client, regions):
    OrganizationFactory.create_batch(25, community=regions["c_jfq1"])

    first = client.get(reverse("portal:home"))
    second = client.get(reverse("portal:home"), {"page": 2})

    assert len(first.context["page"].object_list) == 20
    assert len(second.context["page"].object_list) == 5
    assert "共 25 条" in first.content.decode()


def test_htmx_search_returns_only_the_results_fragment(client, registry):
    response = client.get(reverse("portal:home"), {"q": "养老"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "历下区养老服务协会" in html
    assert "<html" not in html


def test_profile_shows_public_fields_and_the_legal_representatives_name(client, registry):
    org = registry["private"]

    response = client.get(reverse("portal:organization", args=[org.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert org.name in html and org.uscc in html
    assert "王丽华" in html
    assert "济南市历下区解放路1号" in html
    assert "历山路社区居民委员会" in html


@pytest.mark.parametrize("signed_in", [False, True])
def test_no_id_number_or_phone_ever_appears_in_the_portal(client, cast, registry, signed_in):
    if signed_in:
        client.force_login(cast["city"])
    org = registry["private"]

    pages = [
        client.get(reverse("portal:home")),
        client.get(reverse("portal:home"), {"q": "养老"}),
        client.get(reverse("portal:organization", args=[org.pk])),
    ]

    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        for secret in (ID_NUMBER, ID_NUMBER[-4:] + "<", PERSON_PHONE, PERSON_PHONE[-4:], ORG_PHONE):
            assert secret not in html
    assert Person.objects.get(id_number=ID_NUMBER).phone == PERSON_PHONE  # nothing changed


def test_closed_organisations_show_their_status(client, registry):
    org = registry["closed"]

    listing = client.get(reverse("portal:home"), {"q": "养老服务中心"})
    profile = client.get(reverse("portal:organization", args=[org.pk]))

    assert 'badge badge-deregistered">已注销' in listing.content.decode()
    html = profile.content.decode()
    assert 'badge badge-deregistered">已注销' in html
    assert "2023年5月1日" in html
    assert "不得再以社会组织名义开展活动" in html


def test_community_group_profile_has_no_credit_code(client, registry):
    response = client.get(reverse("portal:organization", args=[registry["group"].pk]))

    html = response.content.decode()
    assert "备案组织无统一社会信用代码" in html
    assert "备案日期" in html


def test_unknown_organisation_is_404(client, db):
    assert client.get(reverse("portal:organization", args=[999999])).status_code == 404


def test_portal_pages_switch_to_english(client, registry):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    response = client.get(reverse("portal:home"))

    assert response.status_code == 200
    assert response.context["LANGUAGE_CODE"] == "en"
    assert '<html lang="en">' in response.content.decode()


def test_search_page_runs_a_fixed_number_of_queries(client, registry, django_assert_num_queries):
    # districts, city totals, count, page of results
    with django_assert_num_queries(4):
        client.get(reverse("portal:home"), {"q": "养老"})
    # organisation, legal representative's name, current certificate, announcements,
    # current credit-list entries
    with django_assert_num_queries(5):
        client.get(reverse("portal:organization", args=[registry["private"].pk]))


def test_portal_lists_every_organisation_not_only_open_ones(client, registry):
    response = client.get(reverse("portal:home"))

    assert response.context["page"].paginator.count == Organization.objects.count()


def test_the_portal_home_links_every_public_list(client, db):
    html = client.get(reverse("portal:home")).content.decode()

    for name in (
        "portal:announcement-list",
        "portal:credit-abnormal",
        "portal:credit-serious",
        "portal:supervision-conclusions",
        "portal:inspection-plan-list",
        "portal:ratings-grades",
        "portal:stars-list",
        "portal:stars-awards",
        "portal:enforcement-complaint-create",
    ):
        assert f'href="{reverse(name)}"' in html, name
