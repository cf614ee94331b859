"""Bounded values (issue 20, finding 1): amounts and texts of complaints and penalty cases stay
within their columns whichever door they come through (public form and API, staff form and API,
service); the database refuses the rest on both engines, and rows SQLite already stored out of
range are repaired by the migration."""

from __future__ import annotations

import importlib
import json
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.db import DataError, IntegrityError, connection, transaction
from django.test import Client

from npohub.core.bounds import unbounded_fields
from npohub.core.errors import ValidationFailed
from npohub.enforcement import services
from npohub.enforcement.models import Complaint, PenaltyCase, Sanction

from .factories import complaint

pytestmark = pytest.mark.django_db
LONG = "长" * 100_000
BODY = {
    "contact": "13800000000",
    "category": "fees",
    "organization_text": "某某协会",
    "description": "该协会强制摊派会费，不开具票据。",
}


def test_every_text_and_number_of_the_enforcement_models_has_a_database_bound():
    assert unbounded_fields("enforcement") == []


def _staff(cast) -> Client:
    client = Client()
    client.force_login(cast["district"])
    return client


def _case(client, orgs) -> int:
    made = client.post(
        "/api/v1/enforcement/cases",
        {"organization_id": orgs["assoc"].pk, "title": "违规收费"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    return int(made.json()["id"])


@pytest.mark.parametrize(
    ("field", "value"), [("amount", 1e30), ("basis_amount", "1e30"), ("amount", "-1")]
)
def test_the_api_refuses_a_sanction_amount_beyond_its_column_naming_the_field(
    cast, orgs, field, value
):
    client = _staff(cast)
    case_id = _case(client, orgs)
    body = {"kind": "fine", "fine_basis": "turnover", "basis_amount": "20000", "amount": "30000"}
    body[field] = value
    response = client.post(
        f"/api/v1/enforcement/cases/{case_id}/sanctions", body, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert field in json.dumps(response.json()["details"])
    assert not Sanction.objects.exists()


def test_the_api_refuses_a_100000_character_sanction_note_naming_the_field(cast, orgs):
    client = _staff(cast)
    case_id = _case(client, orgs)
    response = client.post(
        f"/api/v1/enforcement/cases/{case_id}/sanctions",
        {"kind": "warning", "note": LONG},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert "note" in json.dumps(response.json()["details"])
    assert not Sanction.objects.exists()


def test_the_sanction_form_refuses_an_amount_of_1e30_and_nothing_is_stored(cast, orgs):
    client = _staff(cast)
    case_id = _case(client, orgs)
    response = client.post(
        f"/enforcement/cases/{case_id}/sanctions/",
        {"kind": "fine", "amount": "1e30", "fine_basis": "turnover", "basis_amount": "20000"},
    )
    assert response.status_code in (200, 302, 400, 422)
    assert not Sanction.objects.exists()


def test_the_public_api_refuses_a_100000_character_complaint_naming_the_field(cast):
    services.throttle_reset("10.7.7.7")
    response = Client(REMOTE_ADDR="10.7.7.7").post(
        "/api/v1/public/enforcement/complaints",
        {**BODY, "description": LONG},
        content_type="application/json",
    )
    services.throttle_reset("10.7.7.7")
    assert response.status_code == 422, response.content
    assert "description" in json.dumps(response.json()["details"])
    assert not Complaint.objects.exists()


def test_the_public_form_refuses_a_100000_character_complaint_and_nothing_is_stored(cast):
    services.throttle_reset("10.6.6.6")
    response = Client(REMOTE_ADDR="10.6.6.6").post(
        "/enforcement/complaints/new/", {**BODY, "description": LONG}
    )
    services.throttle_reset("10.6.6.6")
    assert response.status_code in (200, 400, 422)
    assert not Complaint.objects.exists()


def test_saving_a_paid_amount_of_1e30_is_refused_before_the_database_naming_the_field(cast, orgs):
    case = PenaltyCase.objects.get(pk=_case(_staff(cast), orgs))
    case.save()  # within bounds: saved
    with pytest.raises(ValidationFailed) as info:
        case.paid_amount = Decimal("1e30")
        case.save(update_fields=["paid_amount"])
    assert "paid_amount" in info.value.details
    case.refresh_from_db()
    assert case.paid_amount is None


@pytest.mark.parametrize(
    ("values"),
    [
        {"paid_amount": Decimal("1e12")},
        {"paid_amount": Decimal("-1")},
        {"facts": LONG},
        {"title": "案" * 201},
    ],
)
def test_the_database_refuses_an_out_of_range_case_value(cast, orgs, values):
    case_id = _case(_staff(cast), orgs)
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        PenaltyCase.objects.filter(pk=case_id).update(**values)


def test_the_database_refuses_a_100000_character_complaint(cast):
    made = complaint()
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Complaint.objects.filter(pk=made.pk).update(description=LONG)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite stored such values")
def test_the_repair_step_brings_stored_values_within_the_new_bounds(cast, orgs):
    case_id = _case(_staff(cast), orgs)
    made = complaint()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA ignore_check_constraints = ON")
        try:
            cursor.execute(
                "UPDATE enforcement_penaltycase SET paid_amount = 1e30 WHERE id = %s", [case_id]
            )
            cursor.execute(
                "UPDATE enforcement_complaint SET description = %s WHERE id = %s",
                [LONG, made.pk],
            )
        finally:
            cursor.execute("PRAGMA ignore_check_constraints = OFF")
    migration = importlib.import_module("npohub.enforcement.migrations.0004_bounded_values")
    migration.repair(django_apps, None)
    made.refresh_from_db()
    assert PenaltyCase.objects.get(pk=case_id).paid_amount is None
    assert len(made.description) == 10_000


@pytest.mark.parametrize(
    ("field", "value"),
    [("complainant_name", "张" * 51), ("contact", "1" * 101), ("organization_text", "协" * 201)],
)
def test_an_over_long_complainant_name_contact_or_organisation_is_refused_not_cut(
    cast, field, value
):
    """The service used to cut these silently (name to 50, contact to 100, organisation to 200)."""
    services.throttle_reset("10.5.5.5")
    with pytest.raises(ValidationFailed) as refused:
        services.complaint_submit(actor=None, client_ip="10.5.5.5", **{**BODY, field: value})
    services.throttle_reset("10.5.5.5")
    assert field in refused.value.details
    assert not Complaint.objects.exists()


def test_a_complainant_name_of_exactly_fifty_characters_is_kept_whole(cast):
    made = complaint(complainant_name="张" * 50)
    assert Complaint.objects.get(pk=made.pk).complainant_name == "张" * 50
