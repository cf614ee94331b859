"""/api/v1/stars/ and /api/v1/public/stars/: the same services, JSON in and out."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from npohub.stars import services
from npohub.stars.models import MonthlyScorecard

from .factories import FULL, months_ago, rate, score

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_the_hub_records_a_scorecard_through_the_api(client, cast, world):
    client.force_login(cast["hub"])
    lines = [{"code": code, "points": points} for code, points in FULL.items()]
    lines[2] = {"code": "activities", "points": "1.5", "reason": "活动少", "evidence": "走访记录"}
    response = post(
        client,
        "/api/v1/stars/scorecards",
        {"organization_id": world["assoc"].pk, "period": months_ago(1).isoformat(), "lines": lines},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["total"] == "9.0"
    assert body["hub_name"] == "历下区社会组织孵化基地"
    assert [line["code"] for line in body["lines"]] == [
        "party",
        "plan",
        "activities",
        "records",
        "premises",
    ]


def test_a_deduction_without_evidence_answers_422_naming_the_item(client, cast, world):
    client.force_login(cast["hub"])
    lines = [{"code": code, "points": points} for code, points in FULL.items()]
    lines[0] = {"code": "party", "points": "1", "reason": "未开展组织生活"}
    response = post(
        client,
        "/api/v1/stars/scorecards",
        {"organization_id": world["assoc"].pk, "period": months_ago(1).isoformat(), "lines": lines},
    )
    assert response.status_code == 422
    assert response.json() == {
        "code": "stars.invalid_scores",
        "message": "评分未保存：“党建工作”扣分须填写扣分理由和依据",
        "details": {"party": "“党建工作”扣分须填写扣分理由和依据"},
    }
    assert MonthlyScorecard.objects.count() == 0


def test_the_public_list_shows_only_published_ratings(client, cast, world):
    year = timezone.localdate().year - 1
    score(cast["hub"], world["assoc"], dt.date(year, 5, 1), "10")
    rate(cast["hub"], world["assoc"], year, self_score="100", peer="100", resident="100")
    assert client.get(f"/api/v1/public/stars/ratings?year={year}").json()["count"] == 0
    services.star_results_publish(actor=cast["district"], year=year, region_code="370102")
    body = client.get(f"/api/v1/public/stars/ratings?year={year}").json()
    assert body["results"] == [
        {
            "organization_id": world["assoc"].pk,
            "organization_name": "历下区养老服务协会",
            "uscc": world["assoc"].uscc,
            "year": year,
            "stars": 5,
            "rank": 1,
            "published_on": timezone.localdate().isoformat(),
        }
    ]
    client.force_login(cast["district"])
    priority = client.get(f"/api/v1/stars/organizations/{world['assoc'].pk}/priority?year={year}")
    assert priority.json() == {
        "organization_id": world["assoc"].pk,
        "year": year,
        "has_priority": True,
    }


def test_the_portal_star_page_lists_published_ratings(client, cast, world):
    year = timezone.localdate().year - 1
    score(cast["hub"], world["assoc"], dt.date(year, 5, 1), "10")
    rate(cast["hub"], world["assoc"], year, self_score="100", peer="100", resident="100")
    services.star_results_publish(actor=cast["district"], year=year, region_code="370102")
    html = client.get("/stars/public/").content.decode()
    assert "历下区养老服务协会" in html
    assert "5★" in html


def test_a_scorecard_template_with_an_overlong_name_is_refused_and_nothing_stored(client, cast):
    from npohub.stars.models import ScorecardTemplate

    client.force_login(cast["admin"])
    before = ScorecardTemplate.objects.count()
    items = [
        {"code": "a", "name": "工作计划", "max_points": "5"},
        {"code": "b", "name": "开展活动", "max_points": "5"},
    ]
    response = post(client, "/api/v1/stars/templates", {"name": "评" * 101, "items": items})

    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
    assert ScorecardTemplate.objects.count() == before
