from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import localize
from django.utils.numberformat import format as django_number_format

from npohub.dashboards.presenters import NumberFormat, RegionUrls
from npohub.dashboards.selectors import KINDS, region_dashboard_for
from npohub.orgs.models import Organization, Status
from npohub.orgs.tests.factories import CommunityGroupFactory, OrganizationFactory
from npohub.regions.models import Region

from .helpers import rebuild_rollups

NUMBERS = [0, 1, 9, 10, 999, 1000, 1234, 9999, 10000, 12345, 123456, 1234567, 98765432, -1, -1234]
DECIMALS = [Decimal("0.0"), Decimal("8.6"), Decimal("13.0"), Decimal("15.1"), Decimal("1234.5")]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_numbers_are_formatted_exactly_as_the_intcomma_filter_and_plain_output_would(language):
    with translation.override(language):
        numbers = NumberFormat.current()
        fast = numbers.intcomma_function()
        for n in NUMBERS:
            assert numbers.intcomma(n) == fast(n) == intcomma(n)
        for value in [*NUMBERS, *DECIMALS]:
            assert numbers.plain(value) == localize(value)


def test_chinese_and_english_numbers_both_group_by_three_with_a_comma():
    with translation.override("zh-hans"):
        assert NumberFormat.current().intcomma_function()(29000) == "29,000"
        assert NumberFormat.current().intcomma_function()(37069) == "37,069"
    with translation.override("en"):
        assert NumberFormat.current().intcomma_function()(29000) == "29,000"


@override_settings(USE_THOUSAND_SEPARATOR=True)
def test_plain_numbers_follow_the_thousand_separator_setting():
    with translation.override("en"):
        numbers = NumberFormat.current()
        for value in [*NUMBERS, *DECIMALS]:
            assert numbers.plain(value) == localize(value)


@pytest.mark.parametrize(
    ("grouping", "separator"), [(3, "."), (3, "\xa0"), (4, ","), ((3, 2, 0), ","), (0, ",")]
)
def test_other_groupings_and_separators_match_djangos_number_format(grouping, separator):
    numbers = NumberFormat(
        decimal_separator=",", thousand_separator=separator, grouping=grouping, group_plain=False
    )
    for n in NUMBERS:
        expected = django_number_format(
            n, ",", grouping=grouping, thousand_sep=separator, force_grouping=True
        )
        assert numbers.intcomma(n) == numbers.intcomma_function()(n) == expected


def test_escaped_format_makes_a_separator_safe_in_markup():
    numbers = NumberFormat(
        decimal_separator=".", thousand_separator="'", grouping=3, group_plain=False
    )
    assert numbers.escaped().intcomma_function()(1234567) == "1&#x27;234&#x27;567"


def test_region_links_are_the_reversed_url_of_each_code():
    urls = RegionUrls.current()

    for code in ["370100000000", "370102001002", "1"]:
        assert urls(code) == reverse("dashboards:region", args=[code])


@pytest.fixture
def many_groups(orgs, regions):
    """Enough groups in one community to need a thousand separator, a retired code, a direct row."""
    CommunityGroupFactory.create_batch(1234, community=regions["c_jfq1"])
    OrganizationFactory(community=None, address_code="370102001000")  # stops at the street
    OrganizationFactory(community=None, address_code="370102009001")  # street 009 is unknown
    rebuild_rollups()


def _body(client, user, code, language):
    client.force_login(user)
    client.cookies["django_language"] = language
    html = client.get(reverse("dashboards:region", args=[code])).content.decode()
    return html.split("<main", 1)[1]


def test_chinese_and_english_pages_print_counts_with_thousands_separators(
    client, cast, many_groups
):
    chinese = _body(client, cast["city"], "370102001000", "zh-hans")
    english = _body(client, cast["city"], "370102001000", "en")

    assert '<td class="num">1,235</td>' in chinese  # 1234 + the shared fixture's group
    assert '<td class="num">1235</td>' not in chinese
    assert '<td class="num">1,235</td>' in english


def test_child_rows_link_each_child_and_mark_retired_codes_and_the_regions_own_remainder(
    client, cast, many_groups
):
    html = _body(client, cast["district"], "370102000000", "zh-hans")

    street = reverse("dashboards:region", args=["370102001000"])
    assert f'<tr><td><a href="{street}">解放路街道</a></td>' in html
    assert (
        '<tr><td><span class="muted" title="该代码没有有效的区划记录（可能已撤销或合并）">'
        "370102009000 （已撤销区划）</span></td>"
    ) in html
    street_html = _body(client, cast["district"], "370102001000", "zh-hans")
    count_table = street_html.split('id="children-table"')[1].split("</table>")[0]
    coverage_table = street_html.split('id="coverage-table"')[1].split("</table>")[0]
    assert '<span class="muted">直属（住所未细化到下级区划）</span>' in count_table
    assert "直属" not in coverage_table  # the remainder has no communities to cover


def test_region_names_are_escaped_in_links_and_chart_labels(client, cast, regions):
    Region.objects.filter(code="370102002000").update(name='<b>"千佛山"</b> & 街道')

    html = _body(client, cast["district"], "370102000000", "zh-hans")

    assert "&lt;b&gt;&quot;千佛山&quot;&lt;/b&gt; &amp; 街道</a>" in html
    assert "<b>" not in html


def test_coverage_cells_show_each_average_against_its_target(client, cast, regions):
    CommunityGroupFactory.create_batch(15, community=regions["c_jfq1"])
    CommunityGroupFactory.create_batch(2, community=regions["c_jfq2"])
    rebuild_rollups()

    html = _body(client, cast["district"], "370102001000", "zh-hans")

    table = html.split('id="coverage-table"')[1].split("</table>")[0]
    rows = table.split("<tbody>")[1].split("</tbody>")[0].split("</tr>")[:-1]
    footer = table.split("<tfoot>")[1]
    assert len(rows) == 2
    assert (
        '<td class="num">15</td><td class="num"><span class="ok" title="达到目标">15.0 ✓</span>'
        in rows[0]
    )
    assert '<td class="num"><span class="bad" title="未达目标">2.0 ✗</span></td>' in rows[1]
    assert '<td class="num"><span class="bad">1</span></td>' in rows[1]  # below target
    assert '<td class="num"><span class="muted">—</span></td>' in rows[0]  # no rural communities
    assert "<th>解放路街道</th>" in footer
    assert '<span class="bad" title="未达目标">8.5 ✗</span>' in footer  # 17 groups, 2 communities


def test_chart_data_lists_live_children_with_drill_down_urls_and_counts_by_kind(
    client, cast, many_groups
):
    client.force_login(cast["city"])

    chart = client.get(reverse("dashboards:region", args=["370102000000"])).context["chart"]

    streets = ["370102001000", "370102002000"]
    assert chart["categories"] == ["解放路街道", "千佛山街道"]
    assert chart["urls"] == [reverse("dashboards:region", args=[code]) for code in streets]
    assert [s["name"] for s in chart["series"]] == [
        "社会团体",
        "社会服务机构",
        "基金会",
        "备案社区社会组织",
    ]
    for series, kind in zip(chart["series"], KINDS, strict=True):
        expected = [
            Organization.objects.filter(address_code__startswith=code[:9], kind=kind).count()
            for code in streets
        ]
        assert series["data"] == expected


def test_kind_by_status_table_matches_the_selector_in_every_cell(client, cast, many_groups):
    dashboard = region_dashboard_for(cast["city"], "370102000000")

    html = _body(client, cast["city"], "370102000000", "zh-hans")

    table = html.split("<h2>按类型和状态</h2>")[1].split("</table>")[0]
    for kind, header in zip(
        KINDS, ["社会团体", "社会服务机构", "基金会", "备案社区社会组织"], strict=True
    ):
        cells = "".join(
            f'<td class="num">{dashboard.counts.get(kind, s):,}</td>' for s in Status.values
        )
        total = f'<td class="num"><strong>{dashboard.counts.kind_total(kind):,}</strong></td>'
        assert f"<tr><td>{header}</td>{cells}{total}</tr>" in table
    footer = "".join(f'<th class="num">{n:,}</th>' for n in dashboard.counts.by_status())
    assert f'{footer}<th class="num">{dashboard.counts.total:,}</th>' in table
