"""The grade-assessment demo: a finished Jinan round with grades, a round open for the demo
expert, made through the services, once."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from npohub.core.models import AuditEvent
from npohub.ratings.models import Assignment, Grade, Round
from npohub.ratings.selectors import has_priority_grade


@pytest.mark.django_db
def test_the_ratings_demo_finishes_a_round_and_opens_one_for_the_expert(regions):
    call_command("load_demo", size="city", seed=1, scale=0.05)
    call_command("demo_accounts")
    call_command("demo_ratings")
    finished = Round.objects.get(state="final")
    grades = Grade.objects.filter(application__round=finished, state="valid")
    assert grades.count() >= 10
    top = [g for g in grades if g.level in ("5A", "4A", "3A")]
    assert 0 < len(top) < grades.count()
    assert all(has_priority_grade(g.organization) for g in top)
    assert all(g.valid_until > timezone.localdate() for g in grades)
    assert finished.applications.filter(state="ineligible").exists()
    scoring = Round.objects.get(state="scoring")
    open_tasks = Assignment.objects.filter(
        application__round=scoring, expert__user__username="expert", submitted_at__isnull=True
    )
    assert open_tasks.exists()
    assert AuditEvent.objects.filter(kind="ratings.round_transitioned").count() >= 10
    count = Grade.objects.count()
    call_command("demo_ratings")
    assert Grade.objects.count() == count
