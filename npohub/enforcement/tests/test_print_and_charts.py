"""The penalty case's print page (scoped and masked as its page) and the enforcement
statistics' charts (every figure the same as the table below it, and as a direct count)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from npohub.enforcement.models import Complaint, PenaltyCase
from npohub.enforcement.permissions import case_view
from npohub.enforcement.selectors import case_outcomes_for, enforcement_trend_for

from .factories import complaint
from .test_record_view import ID, _case_from_a_complaint

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _chart(html: str, chart_id: str) -> dict:
    match = re.search(rf'<script id="{chart_id}-data" type="application/json">(.*?)</script>', html)
    assert match, chart_id
    return json.loads(match.group(1))


def test_the_case_print_page_opens_for_exactly_those_who_open_the_case(cast, orgs):
    case, _c = _case_from_a_complaint(cast, orgs)
    for role, user in cast.items():
        client = _client(user)
        page = client.get(reverse("enforcement:case-detail", args=[case.pk]))
        printed = client.get(reverse("enforcement:case-print", args=[case.pk]))
        assert printed.status_code == page.status_code, role
        assert printed.status_code in (200, 404), role
        if printed.status_code != 200:
            continue
        text = printed.content.decode()
        view = case_view(user, case)
        # The notice stage: the prior notice, headed by the registering authority.
        assert "行政处罚事先告知书" in text and "历下区民政局" in text, role
        assert case.number in text and orgs["assoc"].name in text, role
        assert view.person_id_number(case.sanctions.get()) in text, role
        assert (ID in text) == view.sees_personal_data, role
        # The print page: no menu on screen or paper (print.css hides the top bar).
        assert 'class="print-page"' in text and "npohub/print.css" in text, role
        assert "打印" in page.content.decode()
        assert reverse("enforcement:case-print", args=[case.pk]) in page.content.decode()


def test_the_case_print_page_is_a_404_for_a_case_that_does_not_exist(cast, orgs):
    response = _client(cast["district"]).get(reverse("enforcement:case-print", args=[999999]))
    assert response.status_code == 404


def test_the_statistics_trend_chart_holds_the_tables_figures_and_a_direct_count(cast, orgs):
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    for day in (this_month, this_month, last_month):
        made = complaint(orgs["assoc"])
        Complaint.objects.filter(pk=made.pk).update(received_on=day)
    complaint(orgs["qingdao"])  # another city: not counted
    _case_from_a_complaint(cast, orgs)
    since = dt.date(today.year - 1, 1, 1)
    html = (
        _client(cast["district"])
        .get(reverse("enforcement:statistics"), {"since": since.isoformat()})
        .content.decode()
    )
    trend = _chart(html, "trend-chart")
    rows = enforcement_trend_for(cast["district"], since=since)
    assert trend["series"][0]["data"] == [r.complaints for r in rows]
    assert trend["series"][1]["data"] == [r.cases_filed for r in rows]
    index = {f"{r.month.year}年{r.month.month}月": i for i, r in enumerate(rows)}
    direct = Complaint.objects.filter(
        region_code__startswith="370102", received_on__gte=this_month
    ).count()
    assert trend["series"][0]["data"][index[f"{this_month.year}年{this_month.month}月"]] == direct
    assert direct >= 3
    assert (
        sum(trend["series"][1]["data"])
        == PenaltyCase.objects.exclude(filed_on=None)
        .filter(organization__address_code__startswith="370102")
        .count()
    )
    # The table below the chart shows the same months.
    assert html.index('id="trend-chart"') < html.index('id="trend-table"')
    assert 'aria-label="逐月受理投诉举报' in html


def test_the_statistics_composition_charts_equal_their_tables(cast, orgs):
    complaint(orgs["assoc"], category="fees")
    complaint(orgs["assoc"], category="fees")
    complaint(orgs["assoc"], category="finance")
    _case_from_a_complaint(cast, orgs)
    since = dt.date(2000, 1, 1)
    html = (
        _client(cast["district"])
        .get(reverse("enforcement:statistics"), {"since": since.isoformat()})
        .content.decode()
    )
    cats = _chart(html, "category-chart")
    shares = dict(zip(cats["categories"], cats["series"][0]["data"], strict=True))
    assert shares["违规收费、摊派"] == Complaint.objects.filter(category="fees").count() >= 2
    assert shares["侵占、私分、挪用财产"] == 1
    outcomes = _chart(html, "outcome-chart")
    expected = {
        r.label: r.count for r in case_outcomes_for(cast["district"], since=since) if r.count
    }
    assert dict(zip(outcomes["categories"], outcomes["series"][0]["data"], strict=True)) == expected
    assert sum(expected.values()) == PenaltyCase.objects.count()


def test_the_statistics_charts_count_nothing_outside_the_users_region(cast, orgs):
    complaint(orgs["assoc"], category="fees")
    html = (
        _client(cast["qingdao"])
        .get(reverse("enforcement:statistics"), {"since": "2000-01-01"})
        .content.decode()
    )
    assert _chart(html, "category-chart")["series"][0]["data"] == []
    assert sum(_chart(html, "trend-chart")["series"][0]["data"]) == 0
