"""The annual-report dashboard's charts: rates per year and where the year's reports stand,
each the figures of the table beside it and of a direct count."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from npohub.supervision.models import AnnualReport
from npohub.supervision.selectors import submission_stats, yearly_rates
from npohub.supervision.tests.factories import make_report, to_state

pytestmark = pytest.mark.django_db


def _chart(html: str, chart_id: str) -> dict:
    match = re.search(rf'<script id="{chart_id}-data" type="application/json">(.*?)</script>', html)
    assert match, chart_id
    return json.loads(match.group(1))


@pytest.fixture
def concluded(cast, orgs):
    report = make_report(orgs["assoc"], cast["org_user"])
    return to_state(
        report,
        org_user=cast["org_user"],
        reviewer=cast["reviewer"],
        bureau=cast["district"],
        state="concluded",
        on=dt.date(2026, 3, 1),
        conclusion="basic_pass",
    )


def test_the_yearly_rates_are_the_dashboards_totals_and_a_direct_count(cast, orgs, concluded):
    rates = {r.year: r for r in yearly_rates(cast["city"], [2023, 2024, 2025])}
    total = submission_stats(cast["city"], 2025).total
    assert (rates[2025].due, rates[2025].submitted) == (total.due, total.submitted)
    assert rates[2025].submitted == AnnualReport.objects.filter(year=2025).count() == 1
    assert (rates[2025].concluded, rates[2025].passed, rates[2025].pass_rate) == (1, 1, 100.0)
    assert (rates[2024].submitted, rates[2024].concluded) == (0, 0)


def test_the_dashboard_charts_hold_the_tables_figures(client, cast, orgs, concluded):
    client.force_login(cast["city"])
    response = client.get(reverse("supervision:dashboard"), {"year": 2025})
    html = response.content.decode()
    rates = response.context["rates"]
    chart = _chart(html, "rates-chart")
    assert chart["categories"] == [str(r.year) for r in rates]
    assert chart["series"][0]["data"] == [r.submission_rate for r in rates]
    assert chart["series"][1]["data"] == [r.pass_rate for r in rates]
    states = _chart(html, "state-chart")
    assert dict(zip(states["categories"], states["series"][0]["data"], strict=True)) == {
        label: n for _s, label, n in response.context["states"] if n
    }
    assert sum(states["series"][0]["data"]) == AnnualReport.objects.filter(year=2025).count()
    conclusions = _chart(html, "conclusion-chart")
    assert conclusions["categories"] == ["基本合格"] and conclusions["series"][0]["data"] == [1]
    assert html.index('id="rates-chart"') < html.index('id="rates-table"')
    assert 'aria-label="近五年年度报告报送率与年检合格率折线图"' in html


def test_the_dashboard_charts_count_nothing_outside_the_users_region(client, cast, concluded):
    client.force_login(cast["qingdao"])
    html = client.get(reverse("supervision:dashboard"), {"year": 2025}).content.decode()
    assert _chart(html, "state-chart")["series"][0]["data"] == []
    assert all(v == 0 for v in _chart(html, "rates-chart")["series"][1]["data"])
