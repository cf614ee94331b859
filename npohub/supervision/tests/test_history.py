"""The annual-report workflow on the one engine: history in words on the page and in the API,
today's audit kinds kept, and every existing history row moved into core's history."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import translation

from npohub.core.models import AuditEvent, WorkflowEvent
from npohub.core.workflows import all_state_and_move_codes
from npohub.orgs.tests.factories import OrganizationFactory, grant
from npohub.supervision import services
from npohub.supervision.tests.factories import make_report, to_state
from npohub.supervision.workflows import WORKFLOW, history_of

ON = dt.date(2026, 3, 1)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _history_block(html: str) -> str:
    found = re.search(r'id="report-history".*?</section>', html, re.S)
    assert found is not None
    return found.group(0)


@pytest.mark.django_db
def test_the_report_log_names_moves_and_states_in_words_never_codes(cast, orgs):
    report = to_state(
        make_report(orgs["assoc"], cast["org_user"]),
        org_user=cast["org_user"],
        reviewer=cast["reviewer"],
        bureau=cast["district"],
        state="published",
        on=ON,
    )
    block = _history_block(
        _client(cast["org_user"])
        .get(reverse("supervision:report-detail", args=[report.pk]))
        .content.decode()
    )
    for words in ("提交业务主管单位初审", "待业务主管单位初审", "作出年检结论", "结论已公告"):
        assert words in block
    codes = {c for c in all_state_and_move_codes() if c.isascii()}
    shown = set(re.findall(r">\s*([a-z_]+)\s*<", block))
    assert not (shown & codes), shown & codes
    assert "supervisor_review" not in block and "submit" not in block


@pytest.mark.django_db
def test_the_log_reads_in_english_too(cast, orgs):
    report = make_report(orgs["assoc"], cast["org_user"])
    services.report_transition(actor=cast["org_user"], report=report, transition="submit", today=ON)
    with translation.override("en"):
        rows = history_of(report)
    assert rows[0].move_label == "Submit to the supervisory unit for preliminary review"
    assert rows[0].to_label == "Awaiting supervisory unit's preliminary review"


@pytest.mark.django_db
def test_a_direct_report_is_logged_as_submitted_to_the_bureau(cast, regions):
    org = OrganizationFactory(
        community=regions["c_jfq1"], authority_region=regions["lixia"], supervisory_unit=""
    )
    grant(cast["org_user"], org, "own")
    report = services.report_transition(
        actor=cast["org_user"],
        report=make_report(org, cast["org_user"]),
        transition="submit",
        today=ON,
    )
    [row] = history_of(report)
    assert (row.move_label, row.to_label) == ("提交登记管理机关", "待登记管理机关审查")


@pytest.mark.django_db
def test_moves_keep_their_audit_kinds_and_write_one_history_row_each(cast, orgs):
    report = make_report(orgs["assoc"], cast["org_user"])
    report = services.report_transition(
        actor=cast["org_user"], report=report, transition="submit", today=ON
    )
    services.report_transition(
        actor=cast["reviewer"],
        report=report,
        transition="supervisor_return",
        note="补充",
        today=ON,
    )
    kinds = list(
        AuditEvent.objects.filter(target_id=str(report.pk), kind__startswith="supervision.report_")
        .exclude(kind__in=["supervision.report_created", "supervision.report_section_saved"])
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["supervision.report_submit", "supervision.report_supervisor_return"]
    events = WorkflowEvent.objects.filter(workflow=WORKFLOW.key, object_id=report.pk)
    assert list(events.values_list("move", "from_state", "to_state", "note")) == [
        ("submit", "draft", "supervisor_review", ""),
        ("supervisor_return", "supervisor_review", "returned", "补充"),
    ]


@pytest.mark.django_db
def test_the_api_history_carries_labels_beside_the_codes_in_the_shared_shape(cast, orgs):
    report = make_report(orgs["assoc"], cast["org_user"])
    services.report_transition(actor=cast["org_user"], report=report, transition="submit", today=ON)
    body = _client(cast["org_user"]).get(f"/api/v1/supervision/reports/{report.pk}").json()
    # The one history shape of every API (npohub/api/history.py): ``move``, not ``transition``.
    assert body["history"][0]["move"] == "submit"
    assert body["history"][0]["move_label"] == "提交业务主管单位初审"
    assert body["history"][0]["to_label"] == "待业务主管单位初审"
    assert "transition" not in body["history"][0]


# --- the data migration ------------------------------------------------------------------------

BEFORE = [("supervision", "0001_annual_reports"), ("core", "0002_workflow_event")]
AFTER = [("supervision", "0003_delete_reportstatechange")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_report_history_row_is_copied_into_the_one_history_and_back(cast, orgs):
    old = _migrate(BEFORE)
    AnnualReport = old.get_model("supervision", "AnnualReport")
    ReportStateChange = old.get_model("supervision", "ReportStateChange")
    report = AnnualReport.objects.create(
        organization_id=orgs["assoc"].pk,
        year=2025,
        state="supervisor_review",
        org_kind="association",
        address_code=orgs["assoc"].address_code,
        bureau_deadline=dt.date(2026, 5, 31),
    )
    at = dt.datetime(2026, 3, 1, 1, tzinfo=dt.UTC)
    ReportStateChange.objects.create(
        report=report,
        transition="submit",
        from_state="draft",
        to_state="supervisor_review",
        actor_id=cast["org_user"].pk,
        actor_label="协会填报员",
        occurred_at=at,
    )
    ReportStateChange.objects.create(
        report=report,
        transition="supervisor_return",
        from_state="supervisor_review",
        to_state="returned",
        actor=None,
        actor_label="",
        note="补充附注",
        occurred_at=at + dt.timedelta(hours=2),
    )
    before = ReportStateChange.objects.count()

    new = _migrate(AFTER)
    events = new.get_model("core", "WorkflowEvent").objects.filter(workflow="supervision.report")
    assert events.count() == before == 2
    first, second = events.order_by("occurred_at")
    assert (first.object_id, first.move, first.actor_id, first.actor_label) == (
        report.pk,
        "submit",
        cast["org_user"].pk,
        "协会填报员",
    )
    assert (second.from_state, second.to_state, second.note, second.actor_label) == (
        "supervisor_review",
        "returned",
        "补充附注",
        "system",
    )
    assert second.occurred_at == at + dt.timedelta(hours=2)

    back = _migrate(BEFORE)
    rows = back.get_model("supervision", "ReportStateChange").objects.order_by("occurred_at")
    assert [(r.transition, r.occurred_at) for r in rows] == [
        ("submit", at),
        ("supervisor_return", at + dt.timedelta(hours=2)),
    ]
    _migrate([("supervision", "0004_report_attachments")])
