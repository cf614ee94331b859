"""Bounded values (issue 20, finding 1): a plan's year, inspectors per check and texts stay
within their columns whichever door they come through (form, API, service); the database
refuses the rest on both engines, and rows SQLite already stored out of range are repaired by
the migration."""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps as django_apps
from django.db import DataError, IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from npohub.core.bounds import unbounded_fields
from npohub.core.errors import ValidationFailed
from npohub.inspections.models import SpotCheckPlan

from .factories import district_plan

pytestmark = pytest.mark.django_db
LONG = "长" * 100_000


def test_every_text_and_number_of_the_inspections_models_has_a_database_bound():
    assert unbounded_fields("inspections") == []


def _body(**overrides):
    body = {
        "title": "2026年历下区社会组织双随机抽查",
        "year": 2026,
        "kind": "regular",
        "method": "on_site",
        "ratios": {"association": "0.05", "social_service": "0.05", "foundation": "0.05"},
        "authority_code": "370102",
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize(
    ("field", "value"),
    [("year", 10**12), ("inspectors_per_check", 10**12), ("scope", LONG), ("title", LONG)],
)
def test_the_api_refuses_a_plan_beyond_its_columns_naming_the_field(cast, regions, field, value):
    client = Client()
    client.force_login(cast["district"])
    response = client.post(
        "/api/v1/inspections/plans",
        json.dumps(_body(**{field: value})),
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert field in json.dumps(response.json()["details"])
    assert not SpotCheckPlan.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"), [("year", str(10**12)), ("inspectors_per_check", str(10**12))]
)
def test_the_plan_form_refuses_a_number_beyond_its_column_and_stores_nothing(
    cast, regions, field, value
):
    client = Client()
    client.force_login(cast["district"])
    data = {
        "title": "2026年历下区社会组织双随机抽查",
        "year": "2026",
        "kind": "regular",
        "method": "on_site",
        "ratio_association": "0.05",
        field: value,
    }
    response = client.post(reverse("inspections:plan-create"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not SpotCheckPlan.objects.exists()


def test_the_plan_form_refuses_a_100000_character_scope_and_stores_nothing(cast, regions):
    client = Client()
    client.force_login(cast["district"])
    data = {
        "title": "2026年历下区社会组织双随机抽查",
        "year": "2026",
        "kind": "regular",
        "method": "on_site",
        "ratio_association": "0.05",
        "scope": LONG,
    }
    response = client.post(reverse("inspections:plan-create"), data)
    assert response.status_code in (200, 400, 422)
    assert not SpotCheckPlan.objects.exists()


def test_the_service_refuses_a_100000_character_scope_naming_the_field(cast, regions):
    with pytest.raises(ValidationFailed) as info:
        district_plan(cast["district"], regions, scope=LONG)
    assert "scope" in info.value.details
    assert not SpotCheckPlan.objects.exists()


@pytest.mark.parametrize(
    "values",
    [{"year": 99}, {"inspectors_per_check": 10**6}, {"scope": LONG}, {"topic": "题" * 201}],
)
def test_the_database_refuses_an_out_of_range_plan_value(cast, regions, values):
    plan = district_plan(cast["district"], regions)
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        SpotCheckPlan.objects.filter(pk=plan.pk).update(**values)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite stored such values")
def test_the_repair_step_brings_stored_values_within_the_new_bounds(cast, regions):
    plan = district_plan(cast["district"], regions)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA ignore_check_constraints = ON")
        try:
            cursor.execute(
                "UPDATE inspections_spotcheckplan SET inspectors_per_check = %s, scope = %s "
                "WHERE id = %s",
                [10**12, LONG, plan.pk],
            )
        finally:
            cursor.execute("PRAGMA ignore_check_constraints = OFF")
    migration = importlib.import_module("npohub.inspections.migrations.0002_bounded_values")
    migration.repair(django_apps, None)
    plan.refresh_from_db()
    assert plan.inspectors_per_check == 9 and len(plan.scope) == 10_000
