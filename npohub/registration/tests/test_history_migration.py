"""The application history moves into the one history without loss (and back)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("registration", "0002_certificate_sealed_on"), ("core", "0002_workflow_event")]
AFTER = [("registration", "0004_history_in_core_and_state_choices")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_every_history_row_is_copied_into_the_one_history_with_its_fields(cast):
    old = _migrate(BEFORE)
    Application = old.get_model("registration", "Application")
    StateChange = old.get_model("registration", "StateChange")
    Region = old.get_model("regions", "Region")
    authority = Region.objects.get(code=cast["district"].scope_prefix.ljust(12, "0"))
    apps_ = [
        Application.objects.create(
            number=f"DJ-T{i}",
            kind="establishment",
            state="submitted",
            name=f"测试协会{i}",
            org_kind="association",
            authority_region=authority,
            address_code=authority.code,
            applicant_id=cast["resident"].pk,
            data={},
        )
        for i in range(3)
    ]
    at = dt.datetime(2026, 3, 1, 1, tzinfo=dt.UTC)
    for app in apps_:
        StateChange.objects.create(
            application=app,
            transition="create",
            from_state="",
            to_state="draft",
            actor_id=cast["resident"].pk,
            actor_label="居民",
            occurred_at=at,
        )
        StateChange.objects.create(
            application=app,
            transition="submit",
            from_state="draft",
            to_state="submitted",
            actor=None,
            actor_label="",
            on_behalf_of="千佛山街道",
            note="材料齐全",
            occurred_at=at + dt.timedelta(hours=1),
        )
    before = StateChange.objects.count()

    new = _migrate(AFTER)
    WorkflowEvent = new.get_model("core", "WorkflowEvent")
    events = WorkflowEvent.objects.filter(workflow="registration.application")
    assert events.count() == before == 6
    submit = events.get(object_id=apps_[0].pk, move="submit")
    assert (submit.from_state, submit.to_state, submit.note) == ("draft", "submitted", "材料齐全")
    assert submit.on_behalf_of == "千佛山街道" and submit.occurred_at == at + dt.timedelta(hours=1)
    assert submit.actor_label == "system"  # no actor and no label: a system move
    assert events.get(object_id=apps_[0].pk, move="create").actor_id == cast["resident"].pk

    back = _migrate(BEFORE)
    assert back.get_model("registration", "StateChange").objects.count() == before
    _migrate(AFTER)
