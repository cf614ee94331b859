"""Escalations run on the one workflow engine: history rows for every move, shown as labels on
the page and in the API, built for older records by migration 0004, and one winner in a race."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from npohub.core.errors import InvalidTransition, PermissionDenied
from npohub.core.models import WorkflowEvent
from npohub.core.testing import postgres_only, race
from npohub.hubs import services
from npohub.hubs.models import Escalation, EscalationState

from . import test_services
from .factories import add_member

world = test_services.world  # the hubs' shared fixture: a recognised city platform hub

KEY = "hubs.escalation"


def _raise(cast, world) -> Escalation:
    add_member(cast["city"], world["hub"], world["assoc"])
    return services.escalation_raise(
        actor=cast["hub"],
        hub=world["hub"],
        organization=world["assoc"],
        title="负责人失联",
        description="连续两月无法联系法定代表人。",
    )


@pytest.mark.django_db
def test_every_move_of_an_escalation_is_one_history_row_with_labels(cast, world, client):
    esc = _raise(cast, world)
    services.escalation_assign(actor=cast["city"], escalation=esc, assignee=cast["district"])
    services.escalation_resolve(actor=cast["district"], escalation=esc, resolution="已约谈整改")
    rows = services.escalation_history(esc)
    assert [(r.move, r.from_state, r.to_state) for r in rows] == [
        ("raise", "", "open"),
        ("assign", "open", "assigned"),
        ("resolve", "assigned", "resolved"),
    ]
    assert [str(r.to_label) for r in rows] == ["待分派", "处理中", "已办结"]
    assert rows[0].on_behalf_of == "历下区社会组织服务中心（受民政局委托）"
    assert rows[2].note == "已约谈整改"
    client.force_login(cast["district"])
    page = client.get(reverse("hubs:escalation-detail", args=[esc.pk])).content.decode()
    assert "data-history" in page and "分派承办人" in page
    api = client.get(f"/api/v1/hubs/escalations/{esc.pk}")
    if api.status_code == 200:
        assert [h["move_label"] for h in api.json()["history"]] == ["上报", "分派承办人", "办结"]


@pytest.mark.django_db
def test_a_resolved_escalation_can_be_neither_reassigned_nor_resolved_again(cast, world):
    esc = _raise(cast, world)
    services.escalation_resolve(actor=cast["district"], escalation=esc, resolution="已处理")
    for call in (
        lambda: services.escalation_assign(
            actor=cast["district"], escalation=esc, assignee=cast["city"]
        ),
        lambda: services.escalation_resolve(
            actor=cast["district"], escalation=esc, resolution="再次"
        ),
    ):
        with pytest.raises(InvalidTransition):
            call()
    esc.refresh_from_db()
    assert (esc.state, esc.resolution) == (EscalationState.RESOLVED, "已处理")
    assert WorkflowEvent.objects.filter(workflow=KEY, object_id=esc.pk).count() == 2


@pytest.mark.django_db
def test_a_bureau_outside_the_region_is_refused_and_nothing_is_recorded(cast, world):
    esc = _raise(cast, world)
    with pytest.raises(PermissionDenied) as exc:
        services.escalation_assign(
            actor=cast["district_out"], escalation=esc, assignee=cast["district"]
        )
    assert exc.value.message == "只有受理辖区的民政局可以办理上报事项"
    esc.refresh_from_db()
    assert (esc.state, esc.assignee_id) == (EscalationState.OPEN, None)
    assert WorkflowEvent.objects.filter(workflow=KEY, move="assign").count() == 0


# --- migration 0004: history from the records and the audit trail ---------------------------

BEFORE = [("hubs", "0003_bounded_values"), ("core", "0002_workflow_event")]
AFTER = [("hubs", "0004_escalation_history")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_writes_history_from_audit_and_dates_and_the_reverse_removes_it(cast, world):
    esc = _raise(cast, world)  # raised with today's code: audit, and a history row
    done = _raise_plain(cast, world)
    WorkflowEvent.objects.filter(workflow=KEY).delete()
    at = dt.datetime(2025, 5, 1, 2, tzinfo=dt.UTC)
    Escalation.objects.filter(pk=done.pk).update(
        state="resolved",
        created_at=at - dt.timedelta(days=1),
        assigned_at=at,
        resolved_at=at + dt.timedelta(days=3),
        resolution="已办",
    )
    old = _migrate(BEFORE)
    assert old.get_model("core", "WorkflowEvent").objects.filter(workflow=KEY).count() == 0
    new = _migrate(AFTER)
    events = new.get_model("core", "WorkflowEvent").objects.filter(workflow=KEY)
    assert list(events.filter(object_id=esc.pk).values_list("move", "to_state")) == [
        ("raise", "open")
    ]
    raised = events.get(object_id=esc.pk)
    assert (raised.actor_id, raised.on_behalf_of) == (
        cast["hub"].pk,
        "历下区社会组织服务中心（受民政局委托）",
    )
    rows = list(
        events.filter(object_id=done.pk)
        .order_by("occurred_at", "pk")
        .values_list("move", "from_state", "to_state", "occurred_at", "note")
    )
    assert [r[:3] for r in rows] == [
        ("raise", "", "open"),
        ("assign", "open", "assigned"),
        ("resolve", "assigned", "resolved"),
    ]
    assert rows[1][3] == at and rows[2][4] == "已办"
    assert events.count() == 4
    back = _migrate(BEFORE)
    assert back.get_model("core", "WorkflowEvent").objects.filter(workflow=KEY).count() == 0
    _migrate(AFTER)


def _raise_plain(cast, world) -> Escalation:
    return Escalation.objects.create(
        hub=world["hub"],
        organization=world["assoc"],
        title="旧事项",
        description="迁移前的上报",
        region_code="370102000000",
        raised_by=cast["hub"],
    )


# --- two moves at once (PostgreSQL) ------------------------------------------------------------


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_resolutions_of_an_escalation_leave_exactly_one_recorded(cast, world):
    esc = _raise(cast, world)
    outcome = race(
        *[
            lambda: services.escalation_resolve(
                actor=cast["district"], escalation=esc, resolution="已处理"
            )
            for _ in range(2)
        ]
    )
    assert sum(isinstance(r, Escalation) for r in outcome) == 1
    assert sum(isinstance(r, InvalidTransition) for r in outcome) == 1
    assert WorkflowEvent.objects.filter(workflow=KEY, object_id=esc.pk, move="resolve").count() == 1
