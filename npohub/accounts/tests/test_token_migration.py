"""Tokens made before expiry and scopes existed keep working: read-write (what they could do)
with a grace expiry of 90 days from the migration; new tokens default to read-only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("accounts", "0001_initial")]
AFTER = [("accounts", "0002_token_expiry_scope_recovery_codes_failed_logins")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_an_old_token_becomes_read_write_with_ninety_days_left(cast):
    old = _migrate(BEFORE)
    ApiToken = old.get_model("accounts", "ApiToken")
    ApiToken.objects.create(
        user_id=cast["street"].pk, name="旧令牌", key_prefix="abcdefgh", key_hash="h" * 64
    )

    new = _migrate(AFTER)

    token = new.get_model("accounts", "ApiToken").objects.get()
    assert token.scope == "read_write"
    left = token.expires_at - timezone.now()
    assert dt.timedelta(days=89) < left <= dt.timedelta(days=90)
    fresh = new.get_model("accounts", "ApiToken")(user_id=cast["street"].pk)
    assert fresh.scope == "read"
