"""Appeals, interviews and award rounds keep their history in the one history, shown in words
on the pages and in the API (codes only next to their labels)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from npohub.core.errors import PermissionDenied
from npohub.stars import services
from npohub.stars.models import AppealState, AwardState, InterviewTask

from .factories import award_round, months_ago, score

pytestmark = pytest.mark.django_db


def _block(page: str, anchor: str) -> str:
    return page.split(f'id="{anchor}"', 1)[1].split("</section>", 1)[0]


@pytest.fixture
def appeal(cast, world):
    card = score(cast["hub"], world["assoc"], months_ago(1), "7")
    line = card.lines.get(item__code="activities")
    return services.appeal_file(actor=cast["org_user"], line=line, grounds="活动已开展")


def test_an_appeals_filing_and_decision_are_its_history_in_words(client, cast, appeal):
    services.appeal_transition(
        actor=cast["district"],
        appeal=appeal,
        transition="adjust",
        note="补充材料属实",
        adjusted_points="2.5",
    )
    client.force_login(cast["org_user"])
    page = client.get(reverse("stars:appeal-detail", args=[appeal.pk])).content.decode()
    history = _block(page, "appeal-history")
    for words in ("提出申诉", "待处理", "调整评分", "已调整评分", "补充材料属实"):
        assert words in history
    for code in ("adjust", "submitted", "file"):
        assert code not in history
    body = client.get(f"/api/v1/stars/appeals/{appeal.pk}").json()
    assert body["state_label"] == "已调整评分"
    assert [(h["move"], h["move_label"], h["to_label"]) for h in body["history"]] == [
        ("file", "提出申诉", "待处理"),
        ("adjust", "调整评分", "已调整评分"),
    ]


def test_a_decision_by_a_bureau_outside_the_region_is_refused_and_records_nothing(cast, appeal):
    with pytest.raises(PermissionDenied):
        services.appeal_transition(
            actor=cast["district_out"], appeal=appeal, transition="uphold", note="维持"
        )
    appeal.refresh_from_db()
    assert appeal.state == AppealState.SUBMITTED
    assert [row.move for row in services.appeal_history(appeal)] == ["file"]


def test_an_interviews_opening_holding_and_check_are_its_history_in_words(client, cast, world):
    for n in (3, 2, 1):
        score(cast["hub"], world["assoc"], months_ago(n), "5")
    task = InterviewTask.objects.get()
    services.interview_record(
        actor=cast["hub"], task=task, held_on=timezone.localdate(), outcome="已约谈负责人"
    )
    services.interview_resolve(actor=cast["hub"], task=task, rectified=True, note="已整改")
    rows = services.interview_history(task)
    assert [(r.move_label, r.to_label) for r in rows] == [
        ("发起约谈", "待约谈"),
        ("记录约谈", "整改中"),
        ("核查：整改到位", "整改到位"),
    ]
    assert rows[1].on_behalf_of == "历下区社会组织孵化基地（受民政局委托）"
    client.force_login(cast["hub"])
    page = client.get(reverse("stars:interview-detail", args=[task.pk])).content.decode()
    history = _block(page, "interview-history")
    assert "核查：整改到位" in history and "confirm_rectified" not in history
    body = client.get(f"/api/v1/stars/interviews/{task.pk}").json()
    assert body["state_label"] == "整改到位"
    assert [h["move"] for h in body["history"]] == ["open", "hold", "confirm_rectified"]


def test_the_overdue_sweep_is_recorded_as_the_systems_move(cast, world):
    for n in (3, 2, 1):
        score(cast["hub"], world["assoc"], months_ago(n), "5")
    task = InterviewTask.objects.get()
    today = timezone.localdate()
    services.interview_record(
        actor=cast["hub"],
        task=task,
        held_on=today - dt.timedelta(days=10),
        outcome="已约谈",
        rectification_due=today,
    )
    assert services.rectification_overdue_sweep(on=today + dt.timedelta(days=1)) == 1
    last = services.interview_history(task)[-1]
    assert (last.move_label, last.to_label, last.actor_display) == (
        "逾期未整改",
        "整改不到位",
        "系统",
    )


def test_an_award_rounds_moves_are_its_history_for_the_bureau(client, cast, world):
    rnd = award_round(cast["district"])
    services.nomination_create(
        actor=cast["district"], award_round=rnd, organization=world["assoc"], statement="服务老人"
    )
    services.award_round_transition(
        actor=cast["district"], award_round=rnd, transition="open_voting"
    )
    client.force_login(cast["district"])
    page = client.get(reverse("stars:award-detail", args=[rnd.pk])).content.decode()
    history = _block(page, "award-history")
    assert "结束推荐，开始投票" in history and "open_voting" not in history
    body = client.get(f"/api/v1/stars/awards/{rnd.pk}").json()
    assert (body["state"], body["state_label"]) == (AwardState.VOTING, "投票中")
    assert body["moves"] == [{"name": "finish", "label": "结束投票，公布结果"}]
    assert [h["move_label"] for h in body["history"]] == ["结束推荐，开始投票"]
