"""Bounded values (issue 20, finding 1): rounds, points, totals, votes and texts of the grade
assessment stay within their columns whichever door they come through (form, API, service); the
database refuses the rest on both engines, and rows SQLite already stored out of range are
repaired by the migration."""

from __future__ import annotations

import importlib
import json
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.db import DataError, IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from npohub.core.bounds import unbounded_fields
from npohub.core.errors import ValidationFailed
from npohub.ratings import selectors, services
from npohub.ratings.models import Round, Score

from .factories import make_round
from .test_services import scoring  # noqa: F401 (a fixture: a round in scoring with 4 experts)

pytestmark = pytest.mark.django_db
LONG = "长" * 100_000


def test_every_text_and_number_of_the_ratings_models_has_a_database_bound():
    assert unbounded_fields("ratings") == []


@pytest.mark.parametrize(("field", "value"), [("year", 10**12), ("name", LONG)])
def test_the_api_refuses_a_round_beyond_its_columns_naming_the_field(cast, regions, field, value):
    client = Client()
    client.force_login(cast["district"])
    body = {
        "name": "2025年度历下区社会组织等级评估",
        "year": 2025,
        "region_code": "370102000000",
        "kinds": ["association"],
        field: value,
    }
    response = client.post(
        "/api/v1/ratings/rounds", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert field in json.dumps(response.json()["details"])
    assert not Round.objects.exists()


def test_the_round_form_refuses_a_year_of_a_trillion_and_stores_nothing(cast, regions):
    client = Client()
    client.force_login(cast["district"])
    response = client.post(
        reverse("ratings:round-create"),
        {"name": "评估", "year": str(10**12), "region": "370102000000", "kinds": ["association"]},
    )
    assert response.status_code == 200
    assert "year" in response.context["form"].errors
    assert not Round.objects.exists()


def test_a_100000_character_score_comment_is_refused_naming_the_field(cast, scoring):  # noqa: F811
    _round, app, pool = scoring
    task = app.assignments.get(expert=pool[0])
    leaf = selectors.leaves_of(app.round, "association")[0]
    with pytest.raises(ValidationFailed) as info:
        services.scores_save(
            actor=pool[0].user,
            assignment=task,
            entries=[services.ScoreEntry(indicator_id=leaf.pk, points="1", comment=LONG)],
        )
    assert "comment" in info.value.details
    assert not Score.objects.exists()


@pytest.mark.parametrize("values", [{"year": 99}, {"validity_years": 1000}, {"name": "轮" * 201}])
def test_the_database_refuses_an_out_of_range_round_value(cast, regions, values):
    round = make_round(cast["district"], regions)
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Round.objects.filter(pk=round.pk).update(**values)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite stored such values")
def test_the_repair_step_brings_stored_values_within_the_new_bounds(cast, regions):
    round = make_round(cast["district"], regions)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA ignore_check_constraints = ON")
        try:
            cursor.execute(
                "UPDATE ratings_round SET validity_years = 1000, name = %s WHERE id = %s",
                [LONG, round.pk],
            )
        finally:
            cursor.execute("PRAGMA ignore_check_constraints = OFF")
    migration = importlib.import_module("npohub.ratings.migrations.0005_bounded_values")
    migration.repair(django_apps, None)
    round.refresh_from_db()
    assert round.validity_years == 20 and len(round.name) == 200
    assert Decimal(round.validity_years) > 0
