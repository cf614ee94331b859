"""The star list's charts: the monthly score distribution and the star composition, each the
figures of the table beside it and of a direct count, in the user's scope only."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from npohub.stars.models import MonthlyScorecard, StarAssessment
from npohub.stars.selectors import score_bands, score_distribution

from .factories import rate, score

pytestmark = pytest.mark.django_db


def _chart(html: str, chart_id: str) -> dict:
    match = re.search(rf'<script id="{chart_id}-data" type="application/json">(.*?)</script>', html)
    assert match, chart_id
    return json.loads(match.group(1))


def test_the_score_distribution_counts_each_months_scores_per_band(cast, world):
    year = timezone.localdate().year - 1
    score(cast["hub"], world["assoc"], dt.date(year, 3, 1), "5")
    score(cast["hub"], world["group"], dt.date(year, 3, 1), "9.5")
    score(cast["hub"], world["assoc"], dt.date(year, 4, 1), "8.5")
    months = {m.month.month: m for m in score_distribution(cast["district"], year)}
    labels = [label for _lower, label in score_bands()]
    assert labels == ["6分以下", "6–8分", "8–9分", "9分及以上"]
    assert months[3].bands == [1, 0, 0, 1] and months[3].average == Decimal("7.3")
    assert months[4].bands == [0, 0, 1, 0]
    assert sum(m.scored for m in months.values()) == (
        MonthlyScorecard.objects.filter(period__year=year).count()
    )
    # Another city's bureau sees none of them.
    assert sum(m.scored for m in score_distribution(cast["qingdao"], year)) == 0


def test_the_star_list_charts_hold_the_tables_figures(client, cast, world):
    year = timezone.localdate().year - 1
    score(cast["hub"], world["assoc"], dt.date(year, 3, 1), "5")
    score(cast["hub"], world["group"], dt.date(year, 3, 1), "9.5")
    rate(cast["hub"], world["assoc"], year)
    client.force_login(cast["district"])
    response = client.get(reverse("stars:star-list"), {"year": year})
    html = response.content.decode()
    scores = _chart(html, "score-chart")
    march = scores["categories"].index(f"{year}年3月")
    assert [s["data"][march] for s in scores["series"]] == response.context["months"][2].bands
    assert [s["data"][march] for s in scores["series"]] == [1, 0, 0, 1]
    stars = _chart(html, "star-chart")
    assessment = StarAssessment.objects.get()
    assert stars["categories"] == [f"{assessment.stars}星级"] and stars["series"][0]["data"] == [1]
    assert dict(response.context["composition"])[assessment.stars] == 1
    assert html.index('id="star-chart"') < html.index('id="star-composition"')
    # The htmx filter swaps the results with their charts.
    partial = client.get(reverse("stars:star-list"), {"year": year}, HTTP_HX_REQUEST="true")
    assert 'id="score-chart-data"' in partial.content.decode()
