"""Monthly scorecards: who scores, deductions with reasons, the three-months-below-6 alert."""

from __future__ import annotations

from decimal import Decimal

import pytest

from npohub.core.errors import PermissionDenied, ValidationFailed
from npohub.core.models import AuditEvent
from npohub.hubs import services as hub_services
from npohub.notifications.models import Notification
from npohub.stars import services
from npohub.stars.models import InterviewReason, InterviewTask, MonthlyScorecard, ScoreLine

from .factories import lines_totalling, months_ago, score

pytestmark = pytest.mark.django_db


def counts():
    return (
        MonthlyScorecard.objects.count(),
        ScoreLine.objects.count(),
        InterviewTask.objects.count(),
        AuditEvent.objects.filter(kind__startswith="stars.").count(),
    )


def test_the_hub_scores_a_member_for_a_month_on_behalf_of_the_bureau(cast, world):
    card = score(cast["hub"], world["assoc"], months_ago(1), "8.5")
    assert card.total == Decimal("8.5")
    assert card.hub == world["hub"]
    lines = {line.item.code: line for line in card.lines.select_related("item")}
    assert lines["activities"].points == Decimal("1.0")
    assert lines["activities"].reason == "未按计划开展"
    assert lines["activities"].evidence == "3月走访记录"
    assert lines["party"].reason == ""
    event = AuditEvent.objects.get(kind="stars.scorecard_recorded")
    assert event.on_behalf_of == "历下区社会组织孵化基地（受民政局委托）"
    assert event.on_behalf_of_ref == f"hub:{world['hub'].pk}"
    assert event.payload["total"] == "8.5"


def test_scoring_the_same_month_again_replaces_the_scorecard(cast, world):
    score(cast["hub"], world["assoc"], months_ago(1), "5")
    card = score(cast["hub"], world["assoc"], months_ago(1), "9")
    assert MonthlyScorecard.objects.get().total == Decimal("9.0")
    assert card.lines.count() == 5


def test_a_deduction_without_reason_or_evidence_is_refused_and_nothing_is_stored(cast, world):
    lines = lines_totalling("10")
    lines["records"] = services.LineInput(points="1", reason="台账不全", evidence="")
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        services.scorecard_record(
            actor=cast["hub"], organization=world["assoc"], period=months_ago(1), lines=lines
        )
    assert exc.value.code == "stars.invalid_scores"
    assert exc.value.message == "评分未保存：“台账资料”扣分须填写扣分理由和依据"
    assert counts() == before


def test_points_above_the_items_maximum_are_refused(cast, world):
    lines = lines_totalling("10")
    lines["premises"] = services.LineInput(points="2")
    with pytest.raises(ValidationFailed) as exc:
        services.scorecard_record(
            actor=cast["hub"], organization=world["assoc"], period=months_ago(1), lines=lines
        )
    assert exc.value.details == {"premises": "“活动场所”的得分须在0到1.5分之间"}
    assert MonthlyScorecard.objects.count() == 0


def test_a_missing_item_is_refused(cast, world):
    lines = lines_totalling("10")
    del lines["party"]
    with pytest.raises(ValidationFailed) as exc:
        services.scorecard_record(
            actor=cast["hub"], organization=world["assoc"], period=months_ago(1), lines=lines
        )
    assert exc.value.details == {"party": "请填写“党建工作”的得分"}


def test_a_future_month_cannot_be_scored(cast, world):
    with pytest.raises(ValidationFailed) as exc:
        score(cast["hub"], world["assoc"], months_ago(-1), "9")
    assert exc.value.code == "stars.future_month"
    assert MonthlyScorecard.objects.count() == 0


def test_a_hub_staff_member_cannot_score_a_non_member(cast, world):
    before = counts()
    with pytest.raises(PermissionDenied) as exc:
        score(cast["hub"], world["other"], months_ago(1), "9")
    assert exc.value.message == "该组织不是您所在枢纽（认定有效期内）的成员，不能为其评分"
    assert counts() == before


def test_a_revoked_hub_cannot_score(cast, world):
    hub_services.hub_revoke(actor=cast["city"], hub=world["hub"], reason="未履行职责")
    before = counts()
    with pytest.raises(PermissionDenied):
        score(cast["hub"], world["assoc"], months_ago(1), "9")
    assert counts() == before


def test_the_bureau_does_not_fill_monthly_scores(cast, world):
    with pytest.raises(PermissionDenied) as exc:
        score(cast["district"], world["assoc"], months_ago(1), "9")
    assert exc.value.message == "月度评分由负责该组织的枢纽、联合会或孵化基地填报"
    assert MonthlyScorecard.objects.count() == 0


def test_three_consecutive_months_below_6_open_an_interview_for_the_responsible_staff(cast, world):
    score(cast["hub"], world["assoc"], months_ago(3), "5.5")
    score(cast["hub"], world["assoc"], months_ago(2), "4")
    card = score(cast["hub"], world["assoc"], months_ago(1), "5.9")
    task = InterviewTask.objects.get()
    assert task.reason == InterviewReason.LOW_MONTHLY
    assert task.organization == world["assoc"]
    assert task.hub == world["hub"]
    assert task.assignee == cast["hub"]
    assert task.period == months_ago(1)
    assert task.detail == (
        f"连续3个月评分低于6分：{months_ago(3):%Y-%m} 5.5、{months_ago(2):%Y-%m} 4.0、"
        f"{months_ago(1):%Y-%m} 5.9"
    )
    event = AuditEvent.objects.filter(kind="stars.scorecard_recorded").latest("id")
    assert event.payload["interview_task"] == task.pk
    assert event.target_id == str(card.pk)
    note = Notification.objects.get(kind="stars.interview")
    assert note.recipient == cast["hub"]


def test_two_months_below_6_open_no_interview(cast, world):
    score(cast["hub"], world["assoc"], months_ago(2), "5")
    score(cast["hub"], world["assoc"], months_ago(1), "5")
    assert InterviewTask.objects.count() == 0


def test_a_month_at_6_breaks_the_streak(cast, world):
    score(cast["hub"], world["assoc"], months_ago(4), "5")
    score(cast["hub"], world["assoc"], months_ago(3), "5")
    score(cast["hub"], world["assoc"], months_ago(2), "6")
    score(cast["hub"], world["assoc"], months_ago(1), "5")
    assert InterviewTask.objects.count() == 0


def test_a_month_without_a_score_breaks_the_streak(cast, world):
    score(cast["hub"], world["assoc"], months_ago(4), "5")
    score(cast["hub"], world["assoc"], months_ago(3), "5")
    score(cast["hub"], world["assoc"], months_ago(1), "5")
    assert InterviewTask.objects.count() == 0


def test_a_fourth_low_month_does_not_open_a_second_interview_while_one_is_open(cast, world):
    for n in (4, 3, 2, 1):
        score(cast["hub"], world["assoc"], months_ago(n), "5")
    assert InterviewTask.objects.count() == 1
    assert InterviewTask.objects.get().period == months_ago(2)


def test_low_months_entered_latest_first_open_an_interview_when_the_run_is_complete(cast, world):
    """Issue 13: June, then May, then April, all below 6, opened no interview."""
    score(cast["hub"], world["assoc"], months_ago(1), "5")
    score(cast["hub"], world["assoc"], months_ago(2), "5.5")
    assert InterviewTask.objects.count() == 0
    score(cast["hub"], world["assoc"], months_ago(3), "4")
    task = InterviewTask.objects.get()
    assert task.period == months_ago(1)
    assert task.detail == (
        f"连续3个月评分低于6分：{months_ago(3):%Y-%m} 4.0、{months_ago(2):%Y-%m} 5.5、"
        f"{months_ago(1):%Y-%m} 5.0"
    )


def test_a_low_month_filled_in_between_two_low_months_opens_an_interview(cast, world):
    score(cast["hub"], world["assoc"], months_ago(3), "5")
    score(cast["hub"], world["assoc"], months_ago(1), "5")
    score(cast["hub"], world["assoc"], months_ago(2), "5")
    assert InterviewTask.objects.get().period == months_ago(1)


def test_a_correction_that_lowers_the_middle_month_opens_an_interview(cast, world):
    score(cast["hub"], world["assoc"], months_ago(3), "5")
    score(cast["hub"], world["assoc"], months_ago(2), "7")
    score(cast["hub"], world["assoc"], months_ago(1), "5")
    assert InterviewTask.objects.count() == 0
    score(cast["hub"], world["assoc"], months_ago(2), "5.5")
    task = InterviewTask.objects.get()
    assert task.period == months_ago(1)
    event = AuditEvent.objects.filter(kind="stars.scorecard_recorded").latest("id")
    assert event.payload["interview_task"] == task.pk


def test_the_low_month_threshold_follows_the_localitys_policy(cast, world, settings):
    settings.STARS_POLICY = {"3701": {"low_month_below": "8", "low_months_in_a_row": 2}}
    score(cast["hub"], world["assoc"], months_ago(2), "7.5")
    score(cast["hub"], world["assoc"], months_ago(1), "7")
    assert InterviewTask.objects.get().detail.startswith("连续2个月")


def test_a_template_must_total_10_points(cast):
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        services.scorecard_template_create(
            actor=cast["district"],
            name="历下区月度评分表",
            region_code="370102",
            items=[
                services.ItemInput("plan", "工作计划", Decimal("5")),
                services.ItemInput("activities", "开展活动", Decimal("4")),
            ],
        )
    assert exc.value.code == "stars.template_total"
    assert exc.value.message == "各评分项目分值须为正数且合计10分（现为9分）"
    assert counts() == before


def test_a_localitys_template_replaces_the_default_for_its_organisations(cast, world):
    services.scorecard_template_create(
        actor=cast["district"],
        name="历下区月度评分表",
        region_code="370102",
        items=[
            services.ItemInput("plan", "工作计划", Decimal("4")),
            services.ItemInput("hygiene", "卫生清洁", Decimal("6")),
        ],
    )
    card = services.scorecard_record(
        actor=cast["hub"],
        organization=world["assoc"],
        period=months_ago(1),
        lines={
            "plan": services.LineInput("4"),
            "hygiene": services.LineInput("3", reason="卫生差", evidence="检查照片"),
        },
    )
    assert card.total == Decimal("7.0")
    assert card.template.name == "历下区月度评分表"


def test_a_district_bureau_cannot_set_another_districts_template(cast):
    with pytest.raises(PermissionDenied):
        services.scorecard_template_create(
            actor=cast["district_out"],
            name="历下区月度评分表",
            region_code="370102",
            items=[services.ItemInput("plan", "工作计划", Decimal("10"))],
        )
