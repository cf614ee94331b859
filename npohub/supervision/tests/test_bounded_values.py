"""Bounded values (issue 20, finding 1): an annual report's year, opinions and reasons and its
attachments' sizes stay within their columns whichever door they come through (form, API,
workflow move); the database refuses the rest on both engines, and rows SQLite already stored
out of range are repaired by the migration."""

from __future__ import annotations

import datetime as dt
import importlib
import json

import pytest
from django.apps import apps as django_apps
from django.db import DataError, IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from npohub.core.bounds import unbounded_fields
from npohub.supervision.models import AnnualReport
from npohub.supervision.tests.factories import make_report, to_state

pytestmark = pytest.mark.django_db
API = "/api/v1/supervision"
LONG = "长" * 100_000


def session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_text_and_number_of_the_supervision_models_has_a_database_bound():
    assert unbounded_fields("supervision") == []


def test_the_api_refuses_a_report_year_of_a_trillion_naming_the_field(cast, orgs):
    response = session(cast["org_user"]).post(
        f"{API}/reports",
        json.dumps({"organization_id": orgs["assoc"].pk, "year": 10**12}),
        content_type="application/json",
    )
    assert response.status_code in (400, 422), response.content
    assert "year" in json.dumps(response.json()["details"])
    assert not AnnualReport.objects.exists()


def test_the_create_form_refuses_a_year_of_a_trillion_and_stores_nothing(cast, orgs):
    response = session(cast["org_user"]).post(
        reverse("supervision:report-create"),
        {"organization": orgs["assoc"].pk, "year": str(10**12)},
    )
    assert response.status_code in (200, 302, 400, 422)
    assert not AnnualReport.objects.exists()


def test_the_api_refuses_100000_characters_of_reasons_and_the_report_is_unchanged(cast, orgs):
    report = to_state(
        make_report(orgs["assoc"], cast["org_user"]),
        org_user=cast["org_user"],
        reviewer=cast["reviewer"],
        bureau=cast["district"],
        state="submitted",
        on=dt.date(2026, 3, 1),
    )
    response = session(cast["district"]).post(
        f"{API}/reports/{report.pk}/conclusion",
        json.dumps({"conclusion": "fail", "reasons": LONG}),
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert "reasons" in json.dumps(response.json()["details"])
    report.refresh_from_db()
    assert (report.state, report.conclusion, report.conclusion_reasons) == ("submitted", "", "")


@pytest.mark.parametrize(
    "values", [{"year": 10**6}, {"supervisor_opinion": LONG}, {"rectification_basis": "据" * 201}]
)
def test_the_database_refuses_an_out_of_range_report_value(cast, orgs, values):
    report = make_report(orgs["assoc"], cast["org_user"], filled=False)
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        AnnualReport.objects.filter(pk=report.pk).update(**values)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite stored such values")
def test_the_repair_step_brings_stored_values_within_the_new_bounds(cast, orgs):
    report = make_report(orgs["assoc"], cast["org_user"], filled=False)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA ignore_check_constraints = ON")
        try:
            cursor.execute(
                "UPDATE supervision_annualreport SET supervisor_opinion = %s WHERE id = %s",
                [LONG, report.pk],
            )
        finally:
            cursor.execute("PRAGMA ignore_check_constraints = OFF")
    migration = importlib.import_module("npohub.supervision.migrations.0005_bounded_values")
    migration.repair(django_apps, None)
    report.refresh_from_db()
    assert len(report.supervisor_opinion) == 10_000
