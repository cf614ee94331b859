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


# --- objections and grades (0004): their history is written from the records and the audit trail

BEFORE_0004 = [("ratings", "0003_delete_roundstatechange"), ("core", "0002_workflow_event")]


def test_every_objection_and_grade_gets_its_history_from_its_record_and_audit_trail(
    cast, regions, orgs
):
    old = _migrate(BEFORE_0004)
    Round = old.get_model("ratings", "Round")
    Application = old.get_model("ratings", "Application")
    Objection = old.get_model("ratings", "Objection")
    Grade = old.get_model("ratings", "Grade")
    Organization = old.get_model("orgs", "Organization")
    AuditEvent = old.get_model("core", "AuditEvent")
    Region = old.get_model("regions", "Region")
    region = Region.objects.get(code=cast["district"].scope_prefix.ljust(12, "0"))
    round = Round.objects.create(
        name="测试评估", year=2025, region=region, kinds=[], state="final",
        created_by_id=cast["district"].pk,
    )  # fmt: skip
    orgs = list(Organization.objects.order_by("pk")[:3])  # the three of the ``orgs`` fixture
    apps = [
        Application.objects.create(
            round=round, organization=org, applied_on=dt.date(2025, 8, 1),
            created_by_id=cast["district"].pk,
        )
        for org in orgs
    ]  # fmt: skip
    pending = Objection.objects.create(
        application=apps[0], filed_by_id=cast["org_user"].pk, filed_on=dt.date(2025, 9, 2),
        reasons="不服", due_on=dt.date(2025, 9, 17),
    )  # fmt: skip
    decided = Objection.objects.create(
        application=apps[1], filed_by_id=cast["org_user"].pk, filed_on=dt.date(2025, 9, 2),
        reasons="不服", due_on=dt.date(2025, 9, 17), state="rejected", decision="不成立",
        votes_for=1, votes_against=4, decided_by_id=cast["district"].pk,
        decided_on=dt.date(2025, 9, 10),
    )  # fmt: skip
    at = dt.datetime(2025, 9, 10, 2, 30, tzinfo=dt.UTC)
    AuditEvent.objects.create(
        occurred_at=at, actor_id=cast["district"].pk, actor_label="历下区民政局",
        kind="ratings.objection_decided", target_type="ratings.objection",
        target_id=str(decided.pk),
    )  # fmt: skip
    valid_until = dt.date(2026, 1, 9)
    lapsed = Grade.objects.create(
        organization=orgs[0], level="4A", awarded_on=dt.date(2021, 1, 10),
        valid_until=valid_until, state="expired", ended_on=dt.date(2026, 1, 10),
        reason="有效期届满",
    )  # fmt: skip
    old_grade = Grade.objects.create(
        organization=orgs[1], level="4A", awarded_on=dt.date(2021, 1, 10),
        valid_until=valid_until, state="downgraded", ended_on=dt.date(2025, 9, 1),
        trigger_code="manual", reason="受到警告",
    )  # fmt: skip
    lower = Grade.objects.create(
        organization=orgs[1], level="3A", awarded_on=dt.date(2025, 9, 1),
        valid_until=valid_until, previous=old_grade, trigger_code="manual", reason="受到警告",
    )  # fmt: skip
    cancelled = Grade.objects.create(
        organization=orgs[2], level="1A", awarded_on=dt.date(2021, 1, 10),
        valid_until=valid_until, state="cancelled", ended_on=dt.date(2025, 9, 1),
        trigger_code="supervision.inspection_failed", reason="年检不合格",
    )  # fmt: skip

    new = _migrate([("ratings", "0004_objection_and_grade_history")])
    WorkflowEvent = new.get_model("core", "WorkflowEvent")

    def moves(key, pk):
        rows = WorkflowEvent.objects.filter(workflow=key, object_id=pk).order_by("occurred_at")
        return [(e.move, e.from_state, e.to_state) for e in rows]

    assert moves("ratings.objection", pending.pk) == [("file", "", "filed")]
    assert moves("ratings.objection", decided.pk) == [
        ("file", "", "filed"),
        ("reject", "filed", "rejected"),
    ]
    decision = WorkflowEvent.objects.get(workflow="ratings.objection", move="reject")
    # The audit event gives the decision's moment and actor; the record gives its note.
    assert (decision.occurred_at, decision.actor_id, decision.note) == (
        at,
        cast["district"].pk,
        "不成立",
    )
    filing = WorkflowEvent.objects.get(workflow="ratings.objection", object_id=pending.pk)
    assert filing.actor_id == cast["org_user"].pk
    assert moves("ratings.grade", lapsed.pk) == [
        ("award", "", "valid"),
        ("lapse", "valid", "expired"),
    ]
    assert moves("ratings.grade", old_grade.pk) == [
        ("award", "", "valid"),
        ("downgrade", "valid", "downgraded"),
    ]
    assert moves("ratings.grade", lower.pk) == [("reissue_lower", "", "valid")]
    assert moves("ratings.grade", cancelled.pk) == [
        ("award", "", "valid"),
        ("auto_cancel", "valid", "cancelled"),
    ]
    # One or two rows per record: 3 for the objections, 7 for the grades.
    keys = ("ratings.objection", "ratings.grade")
    assert WorkflowEvent.objects.filter(workflow__in=keys).count() == 10

    back = _migrate(BEFORE_0004)
    assert not back.get_model("core", "WorkflowEvent").objects.filter(workflow__in=keys).exists()
    assert back.get_model("ratings", "Objection").objects.count() == 2
    assert back.get_model("ratings", "Grade").objects.count() == 4
    _migrate()
