"""Two people making the same move on one appeal, interview or award round at once: one
succeeds, once, and the page shows the other a message, not an error page."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from npohub.core.errors import InvalidTransition
from npohub.core.models import WorkflowEvent
from npohub.core.testing import postgres_only, race
from npohub.stars import services
from npohub.stars.models import AwardRound, InterviewTask, ScoreAppeal

from .factories import award_round, months_ago, score

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _recorded(key: str, obj, move: str) -> int:
    return WorkflowEvent.objects.filter(workflow=key, object_id=obj.pk, move=move).count()


def _post_twice(user, url: str, data: dict) -> list[tuple[int, list[str]]]:
    def post() -> tuple[int, list[str]]:
        client = Client()
        client.force_login(user)
        response = client.post(url, data)
        return response.status_code, [str(m) for m in get_messages(response.wsgi_request)]

    return race(post, post)


def _appeal(cast, world) -> ScoreAppeal:
    card = score(cast["hub"], world["assoc"], months_ago(1), "7")
    line = card.lines.get(item__code="activities")
    return services.appeal_file(actor=cast["org_user"], line=line, grounds="活动已开展")


def test_two_concurrent_decisions_on_an_appeal_leave_exactly_one_recorded(cast, world):
    appeal = _appeal(cast, world)
    outcome = race(
        *[
            lambda: services.appeal_transition(
                actor=cast["district"], appeal=appeal, transition="uphold", note="维持"
            )
            for _ in range(2)
        ]
    )
    assert sum(isinstance(r, ScoreAppeal) for r in outcome) == 1
    assert sum(isinstance(r, InvalidTransition) for r in outcome) == 1
    assert _recorded("stars.appeal", appeal, "uphold") == 1


def test_two_concurrent_decisions_through_the_page_show_a_message(cast, world):
    appeal = _appeal(cast, world)
    url = reverse("stars:appeal-transition", args=[appeal.pk, "uphold"])
    outcome = _post_twice(cast["district"], url, {"note": "维持"})
    assert [status for status, _said in outcome] == [302, 302]
    said = sorted(m for _status, messages in outcome for m in messages)
    assert said == ["申诉已处理", "评分申诉处于“维持原评分”状态，不能“维持原评分”"]
    assert _recorded("stars.appeal", appeal, "uphold") == 1


def _task(cast, world) -> InterviewTask:
    for n in (3, 2, 1):
        score(cast["hub"], world["assoc"], months_ago(n), "5")
    return InterviewTask.objects.get()


def test_two_concurrent_interview_records_leave_exactly_one_recorded(cast, world):
    task = _task(cast, world)
    today = timezone.localdate()
    outcome = race(
        *[
            lambda: services.interview_record(
                actor=cast["hub"], task=task, held_on=today, outcome="已约谈"
            )
            for _ in range(2)
        ]
    )
    assert sum(isinstance(r, InterviewTask) for r in outcome) == 1
    assert sum(isinstance(r, InvalidTransition) for r in outcome) == 1
    assert _recorded("stars.interview", task, "hold") == 1


def test_two_concurrent_interview_records_through_the_page_show_a_message(cast, world):
    task = _task(cast, world)
    url = reverse("stars:interview-record", args=[task.pk])
    data = {"held_on": timezone.localdate().isoformat(), "outcome": "已约谈"}
    outcome = _post_twice(cast["hub"], url, data)
    assert [status for status, _said in outcome] == [302, 302]
    said = sorted(m for _status, messages in outcome for m in messages)
    assert said == ["约谈任务处于“整改中”状态，不能“记录约谈”", "约谈情况已记录"]
    assert _recorded("stars.interview", task, "hold") == 1


def _round(cast, world) -> AwardRound:
    rnd = award_round(cast["district"])
    services.nomination_create(
        actor=cast["district"], award_round=rnd, organization=world["assoc"], statement="服务老人"
    )
    return rnd


def test_two_concurrent_openings_of_voting_leave_exactly_one_recorded(cast, world):
    rnd = _round(cast, world)
    outcome = race(
        *[
            lambda: services.award_round_transition(
                actor=cast["district"], award_round=rnd, transition="open_voting"
            )
            for _ in range(2)
        ]
    )
    assert sum(isinstance(r, AwardRound) for r in outcome) == 1
    assert sum(isinstance(r, InvalidTransition) for r in outcome) == 1
    assert _recorded("stars.award_round", rnd, "open_voting") == 1


def test_two_concurrent_openings_of_voting_through_the_page_show_a_message(cast, world):
    rnd = _round(cast, world)
    url = reverse("stars:award-transition", args=[rnd.pk, "open_voting"])
    outcome = _post_twice(cast["district"], url, {})
    assert [status for status, _said in outcome] == [302, 302]
    said = sorted(m for _status, messages in outcome for m in messages)
    assert said == ["评优评选处于“投票中”状态，不能“结束推荐，开始投票”", "评选状态已更新"]
    assert _recorded("stars.award_round", rnd, "open_voting") == 1
