"""The coverage page's charts: the figures of the tables below them, and of a direct count,
now and at the end of each past year (federations established later do not count yet)."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from npohub.hubs.models import Federation
from npohub.hubs.selectors import federation_coverage, federation_coverage_trend
from npohub.orgs.tests.factories import OrganizationFactory

from .test_federations import make_federation

pytestmark = pytest.mark.django_db


def _chart(html: str, chart_id: str) -> dict:
    match = re.search(rf'<script id="{chart_id}-data" type="application/json">(.*?)</script>', html)
    assert match, chart_id
    return json.loads(match.group(1))


def _two_federations(cast, regions):
    """解放路 (street head, 2024-01-01) and 千佛山 (not the head, set up this year)."""
    make_federation(
        cast["city"], regions["jiefangqiao"], OrganizationFactory(community=regions["c_jfq1"])
    )
    late = make_federation(
        cast["city"],
        regions["qianfoshan"],
        OrganizationFactory(community=regions["c_qfs1"]),
        head=False,
    )
    this_year = timezone.localdate().replace(month=1, day=1)
    Federation.objects.filter(pk=late.pk).update(established_on=this_year)


def test_the_coverage_trend_counts_a_federation_from_the_year_it_was_established(cast, regions):
    _two_federations(cast, regions)
    today = timezone.localdate()
    trend = federation_coverage_trend("3701", today=today)
    assert trend.years == list(range(today.year - 4, today.year + 1))
    lixia = next(values for code, _name, values in trend.rows if code == "370102")
    # 历下区 has two streets: none before 2024, one from the end of 2024, both this year.
    assert lixia[-1] == Decimal("100.0") and lixia[trend.years.index(2024)] == Decimal("50.0")
    # The last point is the table's figure; a year end equals a direct count as of that day.
    assert trend.total[-1] == federation_coverage("3701")["total"].coverage
    end = dt.date(today.year - 1, 12, 31)
    direct = Federation.objects.filter(street_code__startswith="3701", established_on__lte=end)
    assert federation_coverage("3701", on=end)["total"].with_federation == direct.count() == 1


def test_the_coverage_page_charts_hold_the_tables_figures(cast, regions):
    _two_federations(cast, regions)
    client = Client()
    client.force_login(cast["city"])
    response = client.get("/hubs/coverage/", {"region": "3701"})
    html = response.content.decode()
    rows = response.context["federations"]["rows"]
    feds = _chart(html, "federation-chart")
    assert feds["categories"] == [r.name for r in rows]
    assert feds["series"][0]["data"] == [r.chaired_by_head for r in rows]
    assert feds["series"][2]["data"] == [r.streets - r.with_federation for r in rows]
    lixia = feds["categories"].index("历下区")
    assert feds["series"][0]["data"][lixia] + feds["series"][1]["data"][lixia] == (
        Federation.objects.filter(street_code__startswith="370102").count()
    )
    trend = _chart(html, "coverage-trend-chart")
    assert trend["series"][0]["data"][-1] == float(
        response.context["federations"]["total"].coverage
    )
    assert 'data-chart-type="rate"' in html and 'aria-label="各区划联合会覆盖率逐年折线图"' in html
    assert html.index('id="federation-chart"') < html.index('id="federation-coverage"')
