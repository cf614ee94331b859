"""Registry search ranks: the exact name, then names starting with the query, then registered
organisations (登记) before filed community groups (备案), each rank in pinyin order; lists
without a query are in pinyin order. The same order on the staff page, the API and the portal,
across pages, on both engines; the stored pinyin key is written on every write path."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test import Client
from django.urls import reverse

from npohub.accounts.services import api_token_create
from npohub.orgs.models import Organization
from npohub.orgs.search import apply_search, name_initials, name_pinyin
from npohub.orgs.selectors import (
    OrganizationFilters,
    organization_list_for,
    organization_visible_to,
    public_organization_list,
)
from npohub.orgs.services import organization_create, organization_update
from npohub.orgs.tests.factories import CommunityGroupFactory, OrganizationFactory, make_uscc
from npohub.orgs.tests.test_imports import REG_HEADER, commit, reg_row, upload, xlsx
from npohub.orgs.tests.test_services import assoc_input

pytestmark = pytest.mark.django_db


def _names(qs) -> list[str]:
    return list(qs.values_list("name", flat=True))


def _in_page_order(html: str, names: list[str]) -> list[str]:
    """The given names in the order they first appear in a page."""
    found = [(html.find(name), name) for name in names if name in html]
    return [name for _, name in sorted(found)]


@pytest.fixture
def elder_care(regions):
    """养老 matches: a filed group named exactly 养老, a filed group starting with it, two
    registered organisations containing it, and filed village groups containing it."""
    c = regions["c_jfq1"]
    made = {
        "exact": CommunityGroupFactory(name="养老", community=c),
        "prefix": CommunityGroupFactory(name="养老互助会", community=c),
        "reg_w": OrganizationFactory(name="万寿养老服务中心", community=c),
        "reg_l": OrganizationFactory(name="历下区养老服务协会", community=c),
        "group_s": CommunityGroupFactory(name="三里村互助养老服务队", community=c),
        "group_d": CommunityGroupFactory(name="丁家村互助养老服务队", community=c),
        "other": OrganizationFactory(name="历下区书法协会", community=c),
    }
    return made


EXPECTED_养老 = [
    "养老",
    "养老互助会",
    "历下区养老服务协会",  # li4 < wan4
    "万寿养老服务中心",
    "丁家村互助养老服务队",  # ding1 < san1
    "三里村互助养老服务队",
]


def test_the_pinyin_key_puts_丁_三_万_in_pinyin_order_not_code_point_order():
    assert "丁" < "万" < "三"  # code point order, what the lists showed before
    assert name_pinyin("丁") < name_pinyin("三") < name_pinyin("万")
    assert name_pinyin("三里屯") < name_pinyin("桑园")  # san1… < sang1…: the tone ends a syllable
    assert name_pinyin("NGO发展（济南）中心") == "ngofa1zhan3ji3nan2zhong1xin1"
    assert re.fullmatch(r"[a-z0-9]*", name_pinyin("历下区·养老（服务）协会 2号"))


def test_养老_lists_the_exact_and_prefix_names_then_registered_then_filed_groups(cast, elder_care):
    found = organization_list_for(cast["city"], OrganizationFilters(search="养老"))
    assert _names(found) == EXPECTED_养老


def test_a_list_without_a_query_is_in_pinyin_order(cast, regions):
    c = regions["c_jfq1"]
    for name in ("万达社区服务中心", "三和社区服务中心", "丁香社区服务中心"):
        OrganizationFactory(name=name, community=c)
    listed = _names(organization_list_for(cast["city"], OrganizationFilters()))
    assert listed == ["丁香社区服务中心", "三和社区服务中心", "万达社区服务中心"]
    backwards = organization_list_for(cast["city"], OrganizationFilters(order="-name"))
    assert _names(backwards) == listed[::-1]
    assert _names(public_organization_list(OrganizationFilters())) == listed


def test_staff_page_api_and_portal_show_the_same_ranked_order(cast, elder_care, client):
    client.force_login(cast["city"])
    page = client.get(reverse("orgs:organization-list"), {"q": "养老"})
    assert _in_page_order(page.content.decode(), EXPECTED_养老) == EXPECTED_养老

    _, token = api_token_create(actor=cast["city"], user=cast["city"], name="ranking")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/organizations/", {"q": "养老"})
    assert [row["name"] for row in api.json()["results"]] == EXPECTED_养老

    public = Client().get("/api/v1/public/organizations/", {"q": "养老"})
    assert [row["name"] for row in public.json()["results"]] == EXPECTED_养老

    portal = Client().get(reverse("portal:home"), {"q": "养老"})
    assert _in_page_order(portal.content.decode(), EXPECTED_养老) == EXPECTED_养老


def test_registered_matches_come_first_across_pages(cast, regions):
    c = regions["c_jfq1"]
    for n in range(25):
        CommunityGroupFactory(name=f"阿{n:02d}村互助养老服务队", community=c)
    OrganizationFactory(name="章丘区养老服务协会", community=c)
    OrganizationFactory(name="历下区养老服务协会", community=c)
    found = organization_list_for(cast["city"], OrganizationFilters(search="养老"))
    assert _names(found[:2]) == ["历下区养老服务协会", "章丘区养老服务协会"]
    page_two = _names(found[20:40])
    assert len(page_two) == 7 and all("服务队" in name for name in page_two)
    assert len(set(_names(found))) == found.count() == 27


def test_an_initials_or_uscc_prefix_ranks_its_organisation_first(cast, regions):
    c = regions["c_jfq1"]
    OrganizationFactory(name="历下区养老服务协会", community=c)  # initials lxqylfwxh
    OrganizationFactory(name="济南市历下区养老促进会", community=c)  # jnslxqylcjh: contains
    by_initials = organization_list_for(cast["city"], OrganizationFilters(search="lxq"))
    assert _names(by_initials)[0] == "历下区养老服务协会"
    target = OrganizationFactory(
        name="章丘区书法协会", community=c, uscc=make_uscc("1", "370114", 5)
    )
    by_uscc = organization_list_for(cast["city"], OrganizationFilters(search=target.uscc))
    assert _names(by_uscc) == ["章丘区书法协会"]


@pytest.mark.parametrize(
    "query",
    ["养", "老", "会", "养老", "协会", "互助", "养老服", "服务队", "互助养老服务", "村 养老"],
)
def test_ranking_keeps_exactly_the_matches_of_1_2_and_3_plus_character_queries(
    cast, elder_care, query
):
    """Ordering never adds, drops or repeats a match: the ranked list holds exactly what the
    unordered search holds, and its count equals a direct count."""
    ranked = organization_list_for(cast["city"], OrganizationFilters(search=query))
    plain = apply_search(organization_visible_to(cast["city"]), query)
    brute = sum(all(t in org.name for t in query.split()) for org in Organization.objects.all())
    assert sorted(_names(ranked)) == sorted(_names(plain))
    assert ranked.count() == len(_names(ranked)) == brute


# --- the stored key on every write path --------------------------------------------------------


def test_create_rename_and_import_write_the_pinyin_key(cast, regions):
    org = organization_create(actor=cast["district"], data=assoc_input())
    assert org.name_pinyin == name_pinyin("历下区社区营造促进会")
    org = organization_update(
        actor=cast["district"], org=org, data=assoc_input(name="历下区万家社区服务协会")
    )
    org.refresh_from_db()
    assert org.name_pinyin == name_pinyin("历下区万家社区服务协会") != ""

    commit(cast["district"], upload(cast["district"], "registered", xlsx(REG_HEADER, [reg_row(3)])))
    imported = Organization.objects.get(name="历下区第3社区服务协会")
    assert imported.name_pinyin == name_pinyin(imported.name)
    renamed = reg_row(3, name="历下区丁香社区服务协会")
    commit(cast["district"], upload(cast["district"], "registered", xlsx(REG_HEADER, [renamed])))
    imported.refresh_from_db()
    assert imported.name == "历下区丁香社区服务协会"
    assert imported.name_pinyin == name_pinyin("历下区丁香社区服务协会")


def test_the_data_migration_fills_the_key_of_existing_rows_in_batches(regions, monkeypatch):
    from importlib import import_module

    migration = import_module("npohub.orgs.migrations.0009_name_pinyin")
    monkeypatch.setattr(migration, "BATCH", 2)
    c = regions["c_jfq1"]
    names = ["丁家村舞蹈队", "三里村合唱团", "万寿村腰鼓队", "历下区书法协会", "NGO发展中心"]
    for name in names:
        CommunityGroupFactory(name=name, community=c, name_initials=name_initials(name))
    Organization.objects.update(name_pinyin="")
    migration.fill_name_pinyin(django_apps, SimpleNamespace(connection=connection))
    for org in Organization.objects.all():
        assert org.name_pinyin == name_pinyin(org.name) != ""
