"""Two people making the same move on one annual report at once: one succeeds, once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from npohub.core.errors import InvalidTransition
from npohub.core.models import WorkflowEvent
from npohub.core.testing import postgres_only, race
from npohub.supervision import services
from npohub.supervision.models import AnnualReport
from npohub.supervision.tests.factories import make_report, to_state
from npohub.supervision.workflows import WORKFLOW

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
ON = dt.date(2026, 3, 1)


def _moves(report: AnnualReport, move: str) -> int:
    return WorkflowEvent.objects.filter(
        workflow=WORKFLOW.key, object_id=report.pk, move=move
    ).count()


def _in_first_review(cast, orgs) -> AnnualReport:
    return to_state(
        make_report(orgs["assoc"], cast["org_user"]),
        org_user=cast["org_user"],
        reviewer=cast["reviewer"],
        bureau=cast["district"],
        state="supervisor_review",
        on=ON,
    )


def test_two_concurrent_first_review_approvals_leave_exactly_one_move_recorded(cast, orgs):
    report = _in_first_review(cast, orgs)
    outcome = race(
        *[
            lambda: services.report_transition(
                actor=cast["reviewer"], report=report, transition="supervisor_approve", today=ON
            )
            for _ in range(2)
        ]
    )
    assert sum(isinstance(r, AnnualReport) for r in outcome) == 1
    assert sum(isinstance(r, InvalidTransition) for r in outcome) == 1
    assert _moves(report, "supervisor_approve") == 1
    report.refresh_from_db()
    assert report.state == "submitted"


def test_two_concurrent_approvals_through_the_page_show_no_error_page(cast, orgs):
    report = _in_first_review(cast, orgs)
    url = reverse("supervision:report-transition", args=[report.pk])

    def post() -> int:
        client = Client()
        client.force_login(cast["reviewer"])
        return client.post(url, {"transition": "supervisor_approve", "note": ""}).status_code

    assert race(post, post) == [302, 302]
    assert _moves(report, "supervisor_approve") == 1
