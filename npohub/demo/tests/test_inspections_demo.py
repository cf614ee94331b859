"""The spot-check demo: a finished round with a published seed and an overdue rectification."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from npohub.credit.models import CreditFact
from npohub.inspections.models import SpotCheckPlan
from npohub.inspections.services import plan_verify


@pytest.mark.django_db
def test_the_demo_has_a_finished_verifiable_round_and_an_open_plan_and_loads_once(regions):
    call_command("load_demo", size="city", seed=1, scale=0.05)
    call_command("demo_accounts")
    call_command("demo_inspections")
    closed = SpotCheckPlan.objects.get(state="closed")
    assert closed.seed_is_public and plan_verify(closed).ok
    assert closed.checks.count() >= 1
    assert not closed.checks.exclude(status="concluded").exists()
    assert SpotCheckPlan.objects.filter(state="committed").count() == 1
    assert (
        CreditFact.objects.filter(kind="rectification_overdue", resolved_on__isnull=True).count()
        == 1
    )
    count = SpotCheckPlan.objects.count()
    call_command("demo_inspections")
    assert SpotCheckPlan.objects.count() == count
