"""Two people making the same move on one plan or one check at once: one succeeds, once, and
the page shows the other a message, not an error page."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from npohub.core.errors import InvalidTransition
from npohub.core.models import WorkflowEvent
from npohub.core.testing import postgres_only, race
from npohub.inspections import services
from npohub.inspections.models import SpotCheck, SpotCheckPlan

from .factories import district_plan, drawn_plan, pool, population

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _recorded(key: str, obj, move: str) -> int:
    return WorkflowEvent.objects.filter(workflow=key, object_id=obj.pk, move=move).count()


def test_two_concurrent_commits_of_a_plan_leave_exactly_one_recorded(regions, cast):
    plan = district_plan(cast["district"], regions)
    outcome = race(
        *[
            lambda: services.plan_transition(actor=cast["district"], plan=plan, transition="commit")
            for _ in range(2)
        ]
    )
    assert sum(isinstance(r, SpotCheckPlan) for r in outcome) == 1
    assert sum(isinstance(r, InvalidTransition) for r in outcome) == 1
    assert _recorded("inspections.plan", plan, "commit") == 1
    plan.refresh_from_db()
    assert plan.log.filter(kind="seed_committed").count() == 1


def test_two_concurrent_commits_through_the_page_show_a_message(regions, cast):
    plan = district_plan(cast["district"], regions)
    url = reverse("inspections:plan-transition", args=[plan.pk])

    def post() -> tuple[int, list[str]]:
        client = Client()
        client.force_login(cast["district"])
        response = client.post(url, {"transition": "commit"})
        return response.status_code, [str(m) for m in get_messages(response.wsgi_request)]

    outcome = race(post, post)
    assert [status for status, _said in outcome] == [302, 302]
    said = sorted(m for _status, messages in outcome for m in messages)
    assert said == [
        "抽查计划处于“已承诺随机种子”状态，不能“生成并承诺随机种子”",
        "计划状态：已承诺随机种子",
    ]
    assert _recorded("inspections.plan", plan, "commit") == 1


def _notified_check(regions, cast) -> SpotCheck:
    population(regions, 10)
    pool(regions, 3)
    actor = cast["district"]
    plan = drawn_plan(actor, regions, ratio="0.2")
    plan = services.plan_transition(actor=actor, plan=plan, transition="publish")
    check = plan.checks.order_by("number").first()
    return services.check_notify(actor=actor, check=check, scope_notice="年度报告")


def test_two_concurrent_conclusions_of_a_check_leave_exactly_one_recorded(regions, cast):
    check = _notified_check(regions, cast)
    today = timezone.localdate()
    outcome = race(
        *[
            lambda: services.check_conclude(
                actor=cast["district"], check=check, checked_on=today, conclusion="no_problem"
            )
            for _ in range(2)
        ]
    )
    assert sum(isinstance(r, SpotCheck) for r in outcome) == 1
    assert sum(isinstance(r, InvalidTransition) for r in outcome) == 1
    assert _recorded("inspections.check", check, "conclude") == 1


def test_two_concurrent_conclusions_through_the_page_show_a_message(regions, cast):
    check = _notified_check(regions, cast)
    url = reverse("inspections:check-conclude", args=[check.pk])
    data = {"checked_on": timezone.localdate().isoformat(), "conclusion": "no_problem", "note": ""}

    def post() -> tuple[int, list[str]]:
        client = Client()
        client.force_login(cast["district"])
        response = client.post(url, data)
        return response.status_code, [str(m) for m in get_messages(response.wsgi_request)]

    outcome = race(post, post)
    assert [status for status, _said in outcome] == [302, 302]
    said = sorted(m for _status, messages in outcome for m in messages)
    assert said == ["已保存", "抽查对象处于“已出结论”状态，不能“作出检查结论”"]
    assert _recorded("inspections.check", check, "conclude") == 1
