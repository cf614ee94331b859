"""Bounded values (issue 20, finding 1): monthly points on their 0–10 scale, the yearly parts
on 0–100, counts and texts within their columns, whichever door they come through (form, API,
service); the database refuses the rest on both engines, and rows SQLite already stored out of
range are repaired by the migration."""

from __future__ import annotations

import importlib
import json
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.db import DataError, IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from npohub.core.bounds import unbounded_fields
from npohub.core.errors import ValidationFailed
from npohub.stars.models import AwardRound, MonthlyScorecard, ScoreLine, StarAssessment

from .factories import FULL, months_ago, rate, score
from .test_views import row_data

pytestmark = pytest.mark.django_db
LONG = "长" * 100_000


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_every_text_and_number_of_the_stars_models_has_a_database_bound():
    assert unbounded_fields("stars") == []


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"code": "party", "points": 1e30}, "points"),
        ({"code": "party", "points": "11"}, "points"),
        ({"code": "party", "points": "1", "reason": LONG, "evidence": "记录"}, "reason"),
    ],
)
def test_the_api_refuses_a_scorecard_beyond_its_scale_naming_the_field(
    client, cast, world, line, field
):
    client.force_login(cast["hub"])
    lines = [{"code": code, "points": points} for code, points in FULL.items()]
    lines[0] = line
    response = post(
        client,
        "/api/v1/stars/scorecards",
        {"organization_id": world["assoc"].pk, "period": months_ago(1).isoformat(), "lines": lines},
    )
    assert response.status_code == 422, response.content
    assert field in json.dumps(response.json()["details"])
    assert not MonthlyScorecard.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("self_score", 1e30), ("peer_score", "100.5")])
def test_the_api_refuses_a_yearly_score_beyond_100_naming_the_field(
    client, cast, world, field, value
):
    client.force_login(cast["hub"])
    body = {
        "organization_id": world["assoc"].pk,
        "year": timezone.localdate().year - 1,
        "self_score": "90",
        "peer_score": "90",
        "resident_score": "90",
        "party_building_passed": True,
        field: value,
    }
    response = post(client, "/api/v1/stars/ratings", body)
    assert response.status_code == 422, response.content
    assert field in json.dumps(response.json()["details"])
    assert not StarAssessment.objects.exists()


def test_the_scoring_row_refuses_points_of_1e30_and_stores_nothing(client, cast, world):
    client.force_login(cast["hub"])
    org = world["assoc"]
    url = reverse("stars:scoring-save", args=[world["hub"].pk, org.pk])
    response = client.post(
        f"{url}?month={months_ago(1):%Y-%m}",
        row_data(org, activities="1e30"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code in (200, 422)
    assert not MonthlyScorecard.objects.exists()


def test_the_award_form_refuses_a_trillion_winners_and_stores_nothing(client, cast, world):
    client.force_login(cast["district"])
    today = timezone.localdate()
    response = client.post(
        reverse("stars:award-create"),
        {
            "title": "十佳社区社会组织",
            "kind": "top_ten",
            "year": today.year,
            "winners": str(10**12),
            "vote_opens": today.isoformat(),
            "vote_closes": today.isoformat(),
        },
    )
    assert response.status_code == 200
    assert "winners" in response.context["form"].errors
    assert not AwardRound.objects.exists()


def test_the_service_refuses_a_yearly_score_of_1e30_naming_the_field(cast, world):
    with pytest.raises(ValidationFailed) as info:
        rate(cast["hub"], world["assoc"], timezone.localdate().year - 1, self_score="1e30")
    assert "self_score" in info.value.details
    assert not StarAssessment.objects.exists()


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (MonthlyScorecard, {"total": Decimal("10.5")}),
        (MonthlyScorecard, {"note": LONG}),
        (ScoreLine, {"points": Decimal("-1")}),
        (ScoreLine, {"reason": "理" * 301}),
        (StarAssessment, {"self_score": Decimal("100.1")}),
        (StarAssessment, {"year": 99}),
    ],
)
def test_the_database_refuses_an_out_of_range_value(cast, world, model, values):
    card = score(cast["hub"], world["assoc"], months_ago(14), "9")
    year = card.period.year
    assessment = rate(cast["hub"], world["assoc"], year)
    pk = {
        MonthlyScorecard: card.pk,
        ScoreLine: card.lines.first().pk,
        StarAssessment: assessment.pk,
    }[model]
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        model.objects.filter(pk=pk).update(**values)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite stored such values")
def test_the_repair_step_brings_stored_values_within_the_new_bounds(cast, world):
    card = score(cast["hub"], world["assoc"], months_ago(2), "9")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA ignore_check_constraints = ON")
        try:
            cursor.execute(
                "UPDATE stars_monthlyscorecard SET total = 1e30, note = %s WHERE id = %s",
                [LONG, card.pk],
            )
        finally:
            cursor.execute("PRAGMA ignore_check_constraints = OFF")
    migration = importlib.import_module("npohub.stars.migrations.0003_bounded_values")
    migration.repair(django_apps, None)
    card.refresh_from_db()
    assert card.total == Decimal(10) and len(card.note) == 300
