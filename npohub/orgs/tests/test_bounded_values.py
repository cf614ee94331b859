"""Bounded values (issue 20, finding 1): an organisation's funds and texts stay within what
their columns hold, whichever door they come through (form, API, import), and the database
refuses the rest on both engines; a row SQLite already stored out of range is repaired."""

import importlib
import json
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.db import DataError, IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from npohub.accounts.services import api_token_create
from npohub.core.errors import ValidationFailed
from npohub.core.models import AuditEvent
from npohub.core.params import BoundedDecimalField, DecimalOutOfRange, parse_decimal
from npohub.orgs.models import Organization
from npohub.orgs.services import organization_create
from npohub.orgs.tests.factories import make_uscc
from npohub.orgs.validation import OrganizationInput, clean_organization

pytestmark = pytest.mark.django_db

API = "/api/v1/organizations/"


def assoc_input(**overrides):
    values = {
        "kind": "association",
        "name": "历下区社区营造促进会",
        "uscc": make_uscc("1", "370102", 777),
        "category_code": "community_service",
        "authority_region_code": "370102",
        "community_code": "370102001002",
        "address": "济南市历下区解放路2号",
        "purpose": "促进社区营造",
        "business_scope": "社区服务、培训",
        "activity_area": "历下区",
        "legal_representative_name": "王芳",
        "legal_representative_id_number": "11010519491231002X",
        "registered_funds": "30000",
        "registration_date": "2021-06-01",
    }
    values.update(overrides)
    return OrganizationInput(**values)


def group_input(**overrides):
    values = {
        "kind": "community_group",
        "name": "解放桥社区合唱队",
        "community_code": "370102001002",
        "address": "济南市历下区解放路2号",
        "activity_area": "解放桥社区",
        "legal_representative_name": "王芳",
        "legal_representative_id_number": "11010519491231002X",
        "legal_representative_phone": "13812345678",
        "registration_date": "2021-06-01",
    }
    values.update(overrides)
    return OrganizationInput(**values)


# --- the one parser ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("30000", Decimal("30000")), ("1,234.5", Decimal("1234.5")), ("", None), (None, None)],
)
def test_parse_decimal_accepts_what_the_column_holds(text, expected):
    assert parse_decimal(text, max_digits=16, decimal_places=2) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1e30", "too_large"),
        ("1e99", "too_large"),
        ("100000000000000", "too_large"),
        ("-1e20", "too_small"),
        ("1.234", "too_many_places"),
        ("abc", "not_a_number"),
        ("NaN", "not_a_number"),
        ("Infinity", "not_a_number"),
        ("9" * 5000, "too_large"),
    ],
)
def test_parse_decimal_refuses_what_the_column_cannot_hold(text, code):
    with pytest.raises(DecimalOutOfRange) as info:
        parse_decimal(text, max_digits=16, decimal_places=2)
    assert info.value.code == code


def test_the_bounded_form_field_refuses_1e99():
    field = BoundedDecimalField(max_digits=16, decimal_places=2, required=False)
    assert field.clean("99999999999999.99") == Decimal("99999999999999.99")
    with pytest.raises(Exception, match="."):
        field.clean("1e99")


# --- validation before the database (form, API and import share clean_organization) --------


def test_funds_of_1e99_are_a_validation_error_naming_the_field():
    cleaned, errors = clean_organization(assoc_input(registered_funds="1e99"))
    assert cleaned is None and "registered_funds" in errors


def test_a_100000_character_address_is_a_validation_error_naming_the_field():
    cleaned, errors = clean_organization(assoc_input(address="路" * 100_000))
    assert cleaned is None and "300" in errors["address"]


def test_a_community_group_created_with_funds_of_1e20_is_refused_and_nothing_is_stored(
    cast, regions
):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as info:
        organization_create(actor=cast["district"], data=group_input(registered_funds="1e20"))
    assert "registered_funds" in info.value.details
    assert not Organization.objects.exists() and AuditEvent.objects.count() == events


def test_an_api_patch_of_funds_1e30_is_a_422_naming_the_field_and_nothing_changes(cast, orgs):
    org = orgs["assoc"]
    before = org.registered_funds
    _, raw = api_token_create(actor=cast["district"], user=cast["district"], name="tests")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.patch(
        f"{API}{org.pk}",
        data=json.dumps({"registered_funds": 1e30}),
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert "registered_funds" in json.dumps(response.json()["details"])
    org.refresh_from_db()
    assert org.registered_funds == before
    assert client.get(f"{API}{org.pk}").status_code == 200


def test_the_html_edit_form_refuses_funds_of_1e99_and_nothing_changes(cast, orgs):
    org = orgs["assoc"]
    before = org.registered_funds
    client = Client()
    client.force_login(cast["district"])
    page = client.get(reverse("orgs:organization-edit", args=[org.pk]))
    assert page.status_code == 200
    data = {
        name: ("" if value is None else value)
        for name, value in page.context["form"].initial.items()
    }
    data["registered_funds"] = "1e99"
    response = client.post(reverse("orgs:organization-edit", args=[org.pk]), data)
    assert response.status_code in (200, 400, 422)
    org.refresh_from_db()
    assert org.registered_funds == before


# --- the database refuses what gets past the services (both engines) -----------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("registered_funds", Decimal("1e14")),
        ("registered_funds", Decimal("-1e14")),
        ("address", "路" * 301),
        ("name", "名" * 201),
        ("phone", "1" * 31),
    ],
)
def test_the_database_refuses_an_out_of_range_value(orgs, field, value):
    org = orgs["assoc"]
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Organization.objects.filter(pk=org.pk).update(**{field: value})


# --- repair of a row stored before the constraints -----------------------------------------


@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite stored such values")
def test_the_repair_step_blanks_corrupt_funds_and_cuts_long_texts_so_pages_open(cast, orgs):
    org = orgs["assoc"]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA ignore_check_constraints = ON")
        try:
            cursor.execute(
                "UPDATE orgs_organization SET registered_funds = 1e30, address = %s WHERE id = %s",
                ["路" * 100_000, org.pk],
            )
        finally:
            cursor.execute("PRAGMA ignore_check_constraints = OFF")
    migration = importlib.import_module("npohub.orgs.migrations.0008_bounded_values")
    migration.repair_out_of_range(django_apps, None)
    org.refresh_from_db()
    assert org.registered_funds is None and len(org.address) == 300
    client = Client()
    client.force_login(cast["district"])
    assert client.get(reverse("orgs:organization-detail", args=[org.pk])).status_code == 200
    assert client.get(reverse("orgs:organization-edit", args=[org.pk])).status_code == 200
