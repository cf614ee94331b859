"""The rounds' history moves into the one history without loss (and back)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("ratings", "0001_grade_assessment"), ("core", "0002_workflow_event")]


def _migrate(targets=None):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_every_round_history_row_is_copied_into_the_one_history_with_its_fields(cast):
    old = _migrate(BEFORE)
    Round = old.get_model("ratings", "Round")
    RoundStateChange = old.get_model("ratings", "RoundStateChange")
    Region = old.get_model("regions", "Region")
    region = Region.objects.get(code=cast["district"].scope_prefix.ljust(12, "0"))
    rounds = [
        Round.objects.create(
            name=f"测试评估{i}",
            year=2025,
            region=region,
            kinds=["association"],
            state="eligibility",
            created_by_id=cast["district"].pk,
        )
        for i in range(2)
    ]
    bureau = str(cast["district"])
    at = dt.datetime(2025, 8, 1, 1, tzinfo=dt.UTC)
    for round in rounds:
        for step, (move, source, target) in enumerate(
            [
                ("open_applications", "open", "applications"),
                ("close_applications", "applications", "eligibility"),
            ]
        ):
            row = RoundStateChange.objects.create(
                round=round,
                transition=move,
                source=source,
                target=target,
                actor_label=bureau if step == 0 else "已离职的工作人员",
                note="如期截止" if step else "",
            )
            RoundStateChange.objects.filter(pk=row.pk).update(
                created_at=at + dt.timedelta(days=step)
            )
    before = RoundStateChange.objects.count()

    new = _migrate()
    WorkflowEvent = new.get_model("core", "WorkflowEvent")
    events = WorkflowEvent.objects.filter(workflow="ratings.round")
    assert events.count() == before == 4
    assert {e.object_id for e in events} == {r.pk for r in rounds}
    opened = events.get(object_id=rounds[0].pk, move="open_applications")
    assert (opened.from_state, opened.to_state, opened.occurred_at) == ("open", "applications", at)
    assert (opened.actor_id, opened.actor_label) == (cast["district"].pk, bureau)
    closed = events.get(object_id=rounds[0].pk, move="close_applications")
    assert (closed.from_state, closed.to_state, closed.note) == (
        "applications",
        "eligibility",
        "如期截止",
    )
    assert closed.occurred_at == at + dt.timedelta(days=1)
    # A label no user shows any more stays as it was, with no user behind it.
    assert (closed.actor_id, closed.actor_label) == (None, "已离职的工作人员")

    back = _migrate(BEFORE)
    rows = back.get_model("ratings", "RoundStateChange").objects.order_by("pk")
    assert rows.count() == before
    assert rows.filter(round_id=rounds[0].pk, transition="close_applications").get().created_at == (
        at + dt.timedelta(days=1)
    )
    assert not back.get_model("core", "WorkflowEvent").objects.filter(workflow="ratings.round")
    _migrate()
