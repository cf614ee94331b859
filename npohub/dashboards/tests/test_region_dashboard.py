from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from npohub.core.errors import NotFound
from npohub.core.navigation import menu_for
from npohub.dashboards.selectors import KINDS, STATUSES, region_dashboard_for
from npohub.orgs.models import Kind, Organization, OrgRollup, Status
from npohub.orgs.tests.factories import CommunityGroupFactory, OrganizationFactory
from npohub.regions.models import Region, UrbanRural, UrbanRuralSource

from .helpers import rebuild_rollups

pytestmark = pytest.mark.django_db


def groups(community, n, status=Status.ACTIVE):
    return CommunityGroupFactory.create_batch(n, community=community, status=status)


@pytest.fixture
def registry(orgs, regions):
    """The shared orgs plus groups in several statuses, a closed association, rollups rebuilt."""
    r = regions
    groups(r["c_jfq1"], 3)
    groups(r["c_jfq1"], 1, Status.ABNORMAL)
    groups(r["c_jfq2"], 1, Status.DEREGISTERED)
    groups(r["c_ms_village"], 2)
    OrganizationFactory(name="历下区已注销协会", community=r["c_qfs1"], status=Status.DEREGISTERED)
    # An organisation whose address stops at the street: counted by the street, by no community.
    OrganizationFactory(name="解放路街道商会", community=None, address_code="370102001000")
    rebuild_rollups()
    return orgs


def base_count(prefix, kind, status):
    """The base table's count as the dashboard defines the figures: 活动异常 is being on the
    活动异常名录 (nobody is listed here), so organisations the registry marks 活动异常 count
    as 正常 (see test_figures)."""
    qs = Organization.objects.filter(address_code__startswith=prefix, kind=kind)
    if status == Status.ABNORMAL:
        return 0
    if status == Status.ACTIVE:
        return qs.filter(status__in=(Status.ACTIVE, Status.ABNORMAL)).count()
    return qs.filter(status=status).count()


def test_city_dashboard_counts_equal_base_table_counts(cast, registry):
    dashboard = region_dashboard_for(cast["city"])

    assert dashboard.region.code == "370100000000"
    for kind in KINDS:
        for status in STATUSES:
            assert dashboard.counts.get(kind, status) == base_count("3701", kind, status)
    assert (
        dashboard.counts.total
        == Organization.objects.filter(address_code__startswith="3701").count()
    )
    children = {row.code: row for row in dashboard.children}
    assert set(children) == {"370102000000", "370114000000"}
    for code, row in children.items():
        for kind in KINDS:
            for status in STATUSES:
                assert row.counts.get(kind, status) == base_count(code[:6], kind, status)


def test_street_dashboard_lists_communities_and_what_stops_at_the_street(cast, registry):
    dashboard = region_dashboard_for(cast["street"])

    rows = {row.code: row for row in dashboard.children}
    assert rows["370102001002"].counts.kind_total(Kind.COMMUNITY_GROUP) == 1 + 3 + 1
    assert rows["370102001003"].counts.status_total(Status.DEREGISTERED) == 1
    direct = [row for row in dashboard.children if row.row_type == "direct"]
    assert len(direct) == 1
    assert direct[0].counts.total == 1
    assert sum(row.counts.total for row in dashboard.children) == dashboard.counts.total


def test_breadcrumb_starts_at_the_users_scope_root(cast, registry):
    district = region_dashboard_for(cast["district"], "370102001000")
    city = region_dashboard_for(cast["city"], "370102001000")

    assert [r.name for r in district.breadcrumb] == ["历下区", "解放路街道"]
    assert [r.name for r in city.breadcrumb] == ["济南市", "历下区", "解放路街道"]


def test_coverage_averages_open_groups_per_urban_and_rural_community(cast, regions):
    r = regions
    groups(r["c_jfq1"], 15)
    groups(r["c_jfq1"], 1, Status.SUSPENDED)
    groups(r["c_jfq1"], 2, Status.REVOKED)  # closed: not counted
    groups(r["c_jfq2"], 10)
    groups(r["c_ms_village"], 8)
    OrganizationFactory(community=r["c_qfs1"])  # registered: not a community group
    rebuild_rollups()

    lixia = region_dashboard_for(cast["city"], "370102000000")
    cov = lixia.coverage
    assert (cov.urban_communities, cov.urban_groups, cov.urban_below) == (3, 26, 2)
    assert cov.urban_average == Decimal("8.6")  # 26 / 3, rounded down: 14.96 never shows as 15.0
    assert cov.urban_met is False
    assert cov.rural_communities == 0 and cov.rural_met is None
    street = next(row for row in lixia.children if row.code == "370102001000")
    assert (street.coverage.urban_communities, street.coverage.urban_groups) == (2, 26)
    assert street.coverage.urban_average == Decimal("13.0")
    assert street.coverage.urban_below == 1
    assert street.coverage.urban_met is False

    zhangqiu = region_dashboard_for(cast["city"], "370114000000").coverage
    assert (zhangqiu.rural_communities, zhangqiu.rural_groups, zhangqiu.rural_below) == (1, 8, 0)
    assert zhangqiu.rural_average == Decimal("8.0")
    assert zhangqiu.rural_met is True


def test_coverage_counts_inferred_and_unknown_flags(cast, regions):
    Region.objects.filter(code="370102002001").update(
        urban_rural=UrbanRural.UNKNOWN, urban_rural_source=""
    )
    Region.objects.filter(code="370102001003").update(urban_rural_source=UrbanRuralSource.OFFICIAL)

    cov = region_dashboard_for(cast["district"]).coverage

    assert cov.unknown_communities == 1
    assert cov.urban_communities == 2
    assert cov.inferred_communities == 1


def test_community_worker_sees_their_own_community_only(cast, registry):
    dashboard = region_dashboard_for(cast["community"])

    assert dashboard.region.code == "370102001002"
    assert dashboard.children == []
    assert dashboard.coverage.urban_communities == 1
    assert dashboard.coverage.urban_groups == 5  # the shared group, 3 active, 1 abnormal
    with pytest.raises(NotFound):
        region_dashboard_for(cast["community"], "370102001003")


def test_street_officer_cannot_open_another_streets_or_the_district_dashboard(
    client, cast, registry
):
    client.force_login(cast["street"])
    rollups_before = list(OrgRollup.objects.values_list("region_code", "kind", "status", "count"))

    other_street = client.get(reverse("dashboards:region", args=["370114001000"]))
    other_community = client.get(reverse("dashboards:region", args=["370102002001"]))
    district = client.get(reverse("dashboards:region", args=["370102000000"]))

    assert other_street.status_code == 404
    assert other_community.status_code == 404
    assert district.status_code == 404
    after = list(OrgRollup.objects.values_list("region_code", "kind", "status", "count"))
    assert after == rollups_before


@pytest.mark.parametrize("role", ["hub", "reviewer", "org_user", "inspector", "resident"])
def test_roles_without_a_region_scope_get_404(client, cast, role):
    client.force_login(cast[role])

    assert client.get(reverse("dashboards:region")).status_code == 404
    assert client.get(reverse("dashboards:region", args=["370100000000"])).status_code == 404


def test_anonymous_user_is_sent_to_login(client, regions):
    response = client.get(reverse("dashboards:region"))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("code", ["abc", "3701000000001", "999900000000"])
def test_malformed_or_unknown_codes_are_404(client, cast, code):
    client.force_login(cast["admin"])

    assert client.get(f"/dashboards/regions/{code}/").status_code == 404


def test_superuser_opens_the_city_by_default_and_may_go_anywhere(client, cast, registry):
    client.force_login(cast["admin"])

    city = client.get(reverse("dashboards:region"))
    qingdao = client.get(reverse("dashboards:region", args=["370200000000"]))

    assert city.status_code == 200
    assert city.context["region"].code == "370100000000"
    assert qingdao.status_code == 200
    assert "市南区" in qingdao.content.decode()


def test_dashboard_page_shows_tables_chart_data_and_drill_down_links(client, cast, registry):
    client.force_login(cast["district"])

    response = client.get(reverse("dashboards:region"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "历下区" in html
    assert reverse("dashboards:region", args=["370102001000"]) in html
    assert 'id="children-chart-data"' in html
    assert "vendor/echarts/echarts.min.js" in html
    assert "npohub/charts.js" in html
    assert "济南市" not in html.split('class="breadcrumb"')[1].split("</nav>")[0]
    chart = response.context["chart"]
    assert chart["categories"] == ["解放路街道", "千佛山街道"]
    assert [s["data"] for s in chart["series"]][3] == [5 + 1, 0]  # community groups incl. closed


def test_dashboard_page_runs_a_fixed_number_of_queries(
    client, cast, registry, django_assert_num_queries
):
    client.force_login(cast["city"])
    client.get(reverse("dashboards:region"))  # warm up: session, language

    # session, user, region + breadcrumb, children, rollups, 活动异常名录, coverage
    with django_assert_num_queries(7):
        response = client.get(reverse("dashboards:region"))
    with django_assert_num_queries(7):
        client.get(reverse("dashboards:region", args=["370102001000"]))

    assert response.status_code == 200


def test_region_statistics_menu_item_is_for_region_roles_and_superusers(cast):
    def names(user):
        return [item["name"] for item in menu_for(user)]

    assert "dashboards:region" in names(cast["city"])
    assert "dashboards:region" in names(cast["community"])
    assert "dashboards:region" in names(cast["admin"])
    assert "dashboards:region" not in names(cast["hub"])
    assert "dashboards:region" not in names(cast["resident"])


def test_counts_under_a_code_with_no_active_region_get_their_own_row(cast, regions):
    OrganizationFactory(community=None, address_code="370102009001")  # street 009 is unknown
    OrganizationFactory(community=regions["c_jfq1"])
    rebuild_rollups()

    dashboard = region_dashboard_for(cast["district"])

    retired = [row for row in dashboard.children if row.row_type == "retired"]
    assert [(row.code, row.counts.total) for row in retired] == [("370102009000", 1)]
    assert sum(row.counts.total for row in dashboard.children) == dashboard.counts.total == 2


def test_the_composition_charts_hold_the_regions_total_row_and_a_direct_count(
    client, cast, registry
):
    client.force_login(cast["district"])
    response = client.get(reverse("dashboards:region"))
    kinds, statuses = response.context["kind_chart"], response.context["status_chart"]
    assert kinds["categories"] == response.context["kind_headers"]
    assert statuses["categories"] == response.context["status_labels"]
    for i, kind in enumerate(KINDS):
        expected = sum(base_count("370102", kind, status) for status in STATUSES)
        assert kinds["series"][0]["data"][i] == expected, kind
    assert sum(kinds["series"][0]["data"]) == sum(statuses["series"][0]["data"])
    html = response.content.decode()
    assert 'id="kind-chart-data"' in html and 'data-chart-type="pie"' in html
    assert 'aria-label="本区划社会组织按类型构成饼图"' in html
