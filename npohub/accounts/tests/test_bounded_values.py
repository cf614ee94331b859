"""Bounded values (issue 20, finding 1): a user's and a token's texts stay within their columns
whichever door they come through (form, API, service); the database refuses the rest on both
engines, and rows SQLite already stored out of range are repaired by the migration. Accounts
take no number from a user; the one counter (recovery-code throttling) is bounded too."""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps as django_apps
from django.db import DataError, IntegrityError, connection, transaction

from npohub.accounts import services
from npohub.accounts.models import ApiToken, RecoveryCodeDevice, Role, User
from npohub.core.bounds import unbounded_fields
from npohub.core.errors import ValidationFailed

from .test_views import _new_user

pytestmark = pytest.mark.django_db
LONG = "长" * 100_000


def test_every_text_and_number_of_the_accounts_models_has_a_database_bound():
    assert unbounded_fields("accounts") == []


@pytest.mark.parametrize("field", ["display_name", "organization_label", "username"])
def test_the_user_form_refuses_a_100000_character_text_and_creates_nobody(client, cast, field):
    client.force_login(cast["district"])
    before = User.objects.count()
    response = client.post("/accounts/users/new/", _new_user(**{field: LONG}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert User.objects.count() == before


def test_the_api_refuses_a_100000_character_token_name_naming_the_field(client, cast):
    client.force_login(cast["street"])
    response = client.post(
        "/api/v1/me/tokens", json.dumps({"name": LONG}), content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert "name" in json.dumps(response.json()["details"])
    assert not ApiToken.objects.exists()


def test_the_service_refuses_a_100000_character_unit_naming_the_field(cast, regions):
    before = User.objects.count()
    with pytest.raises(ValidationFailed) as info:
        services.user_create(
            actor=cast["district"],
            username="jfq_long",
            password="Longer-pass-987",
            role=Role.STREET_OFFICER,
            region=regions["jiefangqiao"],
            organization_label=LONG,
        )
    assert "organization_label" in info.value.details
    assert User.objects.count() == before


@pytest.mark.parametrize(
    "values", [{"display_name": LONG}, {"phone": "1" * 21}, {"organization_label": "单" * 201}]
)
def test_the_database_refuses_an_out_of_range_user_value(cast, values):
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        User.objects.filter(pk=cast["street"].pk).update(**values)


def test_the_database_refuses_a_recovery_throttle_count_beyond_its_bound(cast):
    device = RecoveryCodeDevice.objects.create(user=cast["street"], name="recovery")
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        RecoveryCodeDevice.objects.filter(pk=device.pk).update(throttling_failure_count=10**7)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite stored such values")
def test_the_repair_step_brings_stored_values_within_the_new_bounds(cast):
    user = cast["street"]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA ignore_check_constraints = ON")
        try:
            cursor.execute(
                "UPDATE accounts_user SET display_name = %s WHERE id = %s", [LONG, user.pk]
            )
        finally:
            cursor.execute("PRAGMA ignore_check_constraints = OFF")
    migration = importlib.import_module("npohub.accounts.migrations.0003_bounded_values")
    migration.repair(django_apps, None)
    user.refresh_from_db()
    assert len(user.display_name) == 100
