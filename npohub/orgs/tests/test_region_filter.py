"""The registry's region filter is a select per level that starts at the user's own scope,
shows names (never codes), loads each level's children with htmx, and refuses a region outside
the scope; the API keeps taking a code. Figures equal a direct count."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from npohub.accounts.services import api_token_create
from npohub.orgs.models import Organization
from npohub.orgs.tests.factories import CommunityGroupFactory, OrganizationFactory
from npohub.regions.forms import deepest_region

pytestmark = pytest.mark.django_db

LIST = reverse("orgs:organization-list")
CASCADE = reverse("regions:cascade")


@pytest.fixture
def spread(regions):
    """One organisation in each of three communities, two streets and two districts."""
    return {
        "jfq1": CommunityGroupFactory(name="解放桥社区舞蹈队", community=regions["c_jfq1"]),
        "jfq2": CommunityGroupFactory(name="历山路社区合唱团", community=regions["c_jfq2"]),
        "qfs": OrganizationFactory(name="千佛山养老服务协会", community=regions["c_qfs1"]),
        "ms": CommunityGroupFactory(name="东岭村秧歌队", community=regions["c_ms_village"]),
    }


def page(user, **params) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(LIST, params)
    assert response.status_code == 200
    return response.content.decode()


def filter_form(html: str) -> str:
    start = html.index('id="org-filters"')
    return html[start : html.index("</form>", start)]


def selects(html: str) -> list[str]:
    """The region selects of the filter form, each as its options' text."""
    form = filter_form(html)
    return re.findall(r'<select name="region".*?</select>', form, flags=re.S)


def shown(html: str) -> int:
    return int(re.search(r"共 (\d+) 条", html).group(1))


def test_a_community_worker_sees_their_community_chosen_and_no_level_above(cast, regions, spread):
    html = page(cast["community"])
    form = filter_form(html)
    assert '<span class="region-cascade-root">解放桥社区居民委员会</span>' in form
    assert selects(html) == []  # a community has nothing below: nothing to pick, nothing above
    for above in ("解放路街道", "历下区", "济南市", "山东省"):
        assert f">{above}<" not in form
    assert shown(html) == Organization.objects.filter(community=regions["c_jfq1"]).count() == 1


def test_a_street_officer_starts_at_their_street_with_its_communities(cast, regions, spread):
    html = page(cast["street"])
    assert '<span class="region-cascade-root">解放路街道</span>' in filter_form(html)
    [communities] = selects(html)
    assert "全部社区（村）" in communities
    assert ">解放桥社区居民委员会<" in communities and ">历山路社区居民委员会<" in communities
    assert "千佛山" not in communities

    chosen = page(cast["street"], region=regions["c_jfq2"].code)
    assert shown(chosen) == 1 and "历山路社区合唱团" in chosen
    [communities] = selects(chosen)
    assert f'value="{regions["c_jfq2"].code}" selected' in communities


def test_a_district_bureau_starts_at_its_district_and_loads_communities_by_htmx(
    cast, regions, spread
):
    html = page(cast["district"])
    assert '<span class="region-cascade-root">历下区</span>' in filter_form(html)
    [streets] = selects(html)
    assert ">解放路街道<" in streets and ">千佛山街道<" in streets and "明水" not in streets
    assert 'hx-get="/regions/cascade/?field=region"' in streets

    client = Client()
    client.force_login(cast["district"])
    children = client.get(CASCADE, {"field": "region", "region": regions["jiefangqiao"].code})
    assert children.status_code == 200
    text = children.content.decode()
    assert ">解放桥社区居民委员会<" in text and ">历山路社区居民委员会<" in text
    assert "全部社区（村）" in text
    assert client.get(CASCADE, {"field": "region", "region": ""}).content == b""
    assert client.get(CASCADE, {"field": "region", "region": "x1"}).status_code == 400
    assert client.get(CASCADE, {"field": "bad field!"}).status_code == 400

    # A street chosen: its select keeps it, the communities come next; the figure is a count.
    chosen = page(cast["district"], region=regions["jiefangqiao"].code)
    streets, communities = selects(chosen)
    assert f'value="{regions["jiefangqiao"].code}" selected' in streets
    assert ">历山路社区居民委员会<" in communities
    expected = Organization.objects.filter(address_code__startswith="370102001").count()
    assert shown(chosen) == expected == 2


def test_the_city_bureau_starts_at_the_city(cast, spread):
    [districts] = selects(page(cast["city"]))
    assert ">历下区<" in districts and ">章丘区<" in districts and "青岛" not in districts


def test_a_lower_select_left_from_an_earlier_choice_is_ignored(cast, regions, spread):
    # street changed to 千佛山 while the 解放桥 community select was still on the page
    html = page(
        cast["district"],
        region=[regions["jiefangqiao"].code, regions["c_jfq1"].code, ""],
    )
    assert shown(html) == 1 and "解放桥社区舞蹈队" in html
    stale = [regions["qianfoshan"].code, regions["c_jfq1"].code]
    html = page(cast["district"], region=stale)
    assert shown(html) == 1 and "千佛山养老服务协会" in html
    assert deepest_region(["370102", "370102001000", ""]) == "370102001000"
    assert deepest_region(["370102002000", "370102001002"]) == "370102002000"


@pytest.mark.parametrize(
    "user, outside",
    [("community", "c_jfq2"), ("street", "qianfoshan"), ("district", "zhangqiu")],
)
def test_a_region_outside_the_users_scope_is_refused_and_lists_only_the_scope(
    cast, regions, spread, user, outside
):
    before = Organization.objects.count()
    html = page(cast[user], region=regions[outside].code)
    assert "所选区划不在您的范围内" in html
    own = Organization.objects.filter(address_code__startswith=cast[user].region.prefix).count()
    assert shown(html) == own
    for org in Organization.objects.filter(address_code__startswith=regions[outside].prefix):
        assert org.name not in html
    assert Organization.objects.count() == before


def test_a_malformed_region_is_refused_without_dropping_the_other_filters(cast, spread):
    html = page(cast["district"], region="abc", q="养老")
    assert "区划代码无效" in html
    assert shown(html) == 1 and "千佛山养老服务协会" in html


def test_the_page_shows_region_names_never_typed_codes(cast, regions, spread):
    form = filter_form(page(cast["district"], region=regions["jiefangqiao"].code))
    visible = re.sub(r"<[^>]+>", " ", form)
    assert not re.search(r"\d{6,12}", visible)
    assert 'inputmode="numeric"' not in form and "如 370102" not in form


def test_the_api_still_takes_a_region_code(cast, regions, spread):
    _, token = api_token_create(actor=cast["city"], user=cast["city"], name="region")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = api.get("/api/v1/organizations/", {"region": regions["jiefangqiao"].code})
    assert response.status_code == 200
    names = {row["name"] for row in response.json()["results"]}
    assert names == {"解放桥社区舞蹈队", "历山路社区合唱团"}
    assert api.get("/api/v1/organizations/", {"region": "370102001"}).json()["count"] == 2
