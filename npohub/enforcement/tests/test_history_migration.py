"""The complaint and case history moves into the one history without loss (and back)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("enforcement", "0001_complaints_cases_campaigns")]
AFTER = [("enforcement", "0003_history_in_core_and_state_choices")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_every_complaint_and_case_history_row_is_copied_with_its_fields(cast, orgs):
    old = _migrate(BEFORE)
    Complaint = old.get_model("enforcement", "Complaint")
    PenaltyCase = old.get_model("enforcement", "PenaltyCase")
    StateChange = old.get_model("enforcement", "StateChange")
    day = dt.date(2026, 3, 1)
    at = dt.datetime(2026, 3, 1, 1, tzinfo=dt.UTC)
    complaints = [
        Complaint.objects.create(
            number=f"TS20260301TEST000{i}",
            state="accepted",
            contact="13800000000",
            category="fees",
            description="强制摊派会费，不开具票据。",
            region_code=orgs["assoc"].address_code,
            received_on=day,
            reply_due_on=day + dt.timedelta(days=15),
        )
        for i in range(2)
    ]
    case = PenaltyCase.objects.create(
        number="CF202600001",
        state="proposed",
        organization_id=orgs["assoc"].pk,
        title="连续 3 年未报送年度工作报告",
        basis_key="association",
    )
    for c in complaints:
        StateChange.objects.create(
            complaint=c,
            transition="submit",
            to_state="submitted",
            actor_label="system",
            from_state="",
            occurred_at=at,
        )
        StateChange.objects.create(
            complaint=c,
            transition="accept",
            from_state="submitted",
            to_state="accepted",
            actor_id=cast["district"].pk,
            actor_label="历下区民政局",
            note="属于受理范围",
            occurred_at=at + dt.timedelta(hours=1),
        )
    StateChange.objects.create(
        case=case,
        transition="open",
        from_state="",
        to_state="proposed",
        actor_label="",
        occurred_at=at,
    )
    before = {
        "enforcement.complaint": StateChange.objects.filter(complaint__isnull=False).count(),
        "enforcement.case": StateChange.objects.filter(case__isnull=False).count(),
    }

    new = _migrate(AFTER)
    WorkflowEvent = new.get_model("core", "WorkflowEvent")
    after = {
        key: WorkflowEvent.objects.filter(workflow=key).count()
        for key in ("enforcement.complaint", "enforcement.case")
    }
    assert after == before == {"enforcement.complaint": 4, "enforcement.case": 1}
    accept = WorkflowEvent.objects.get(
        workflow="enforcement.complaint", object_id=complaints[0].pk, move="accept"
    )
    assert (accept.from_state, accept.to_state, accept.note) == (
        "submitted",
        "accepted",
        "属于受理范围",
    )
    assert (accept.actor_id, accept.actor_label) == (cast["district"].pk, "历下区民政局")
    assert accept.occurred_at == at + dt.timedelta(hours=1) and accept.on_behalf_of == ""
    opened = WorkflowEvent.objects.get(workflow="enforcement.case", object_id=case.pk)
    assert (opened.move, opened.from_state, opened.to_state) == ("open", "", "proposed")
    assert opened.actor_label == "system"  # no actor and no label: the detector

    back = _migrate(BEFORE)
    OldStateChange = back.get_model("enforcement", "StateChange")
    assert OldStateChange.objects.filter(complaint__isnull=False).count() == 4
    assert OldStateChange.objects.get(case_id=case.pk).transition == "open"
    _migrate(AFTER)
