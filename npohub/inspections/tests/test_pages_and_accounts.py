"""Behaviour set by the move to the one scope and the shared HTTP glue: notices reach the
organisation's current accounts only (``orgs.scope.organization_accounts``), and a check form's
refusal that names none of its inputs is a message on the check's page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from npohub.inspections import services
from npohub.inspections.models import Finding
from npohub.notifications.models import Notification
from npohub.orgs.tests.factories import grant

from .factories import drawn_plan, pool, population

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(regions, cast):
    population(regions, 10)
    pool(regions, 3)
    plan = drawn_plan(cast["district"], regions, ratio="0.2")
    return plan, plan.checks.order_by("number").first()


def test_a_notice_reaches_the_organisations_current_accounts_only(drawn, cast):
    plan, check = drawn
    services.plan_transition(actor=cast["district"], plan=plan, transition="publish")
    current = grant(cast["org_user"], check.organization, "own")
    former = grant(cast["org_user_out"], check.organization, "own")
    former.valid_until = timezone.localdate() - dt.timedelta(days=1)
    former.save()
    services.check_notify(actor=cast["district"], check=check, scope_notice="年度报告")
    told = set(
        Notification.objects.filter(kind="inspections.notice").values_list(
            "recipient_id", flat=True
        )
    )
    assert told == {current.user_id}


def test_a_refusal_naming_no_input_is_a_message_on_the_checks_page(drawn, client, cast):
    """Before publication nobody records findings: the form is not on the page, so the refusal
    comes back as a message (it was an error inside a form the page does not show)."""
    _plan, check = drawn
    client.force_login(cast["district"])
    response = client.post(
        reverse("inspections:finding-add", args=[check.pk]),
        {"type": "finance", "description": "账目不清", "legal_basis": ""},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:check-detail", args=[check.pk])
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == ["抽查计划未处于检查阶段（须先公开随机种子和抽查名单）"]
    assert not Finding.objects.exists()
