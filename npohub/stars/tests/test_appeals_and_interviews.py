"""Appeals against deductions, interview tasks and the removal flag."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from npohub.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from npohub.core.models import AuditEvent
from npohub.notifications.models import Notification
from npohub.stars import services
from npohub.stars.models import (
    AppealState,
    InterviewState,
    InterviewTask,
    MonthlyScorecard,
    RemovalFlag,
    ScoreAppeal,
)

from .factories import months_ago, score

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(cast, world):
    card = score(cast["hub"], world["assoc"], months_ago(1), "7")
    line = card.lines.get(item__code="activities")
    return {"card": card, "line": line, **world}


def test_the_organisation_appeals_a_deduction_and_the_scorer_is_told(cast, scored):
    appeal = services.appeal_file(actor=cast["org_user"], line=scored["line"], grounds="活动已开展")
    assert appeal.state == AppealState.SUBMITTED
    assert appeal.organization == scored["assoc"]
    assert AuditEvent.objects.filter(kind="stars.appeal_filed", target_id=str(appeal.pk)).exists()
    told = Notification.objects.get(kind="stars.appeal")
    assert told.recipient == cast["hub"]
    # The month in the one date format (2026年11月), never "2026-11".
    period = scored["card"].period
    assert f"对{period.year}年{period.month}月评分提出申诉" in told.title


def test_another_organisations_account_cannot_appeal_and_nothing_is_stored(cast, scored):
    with pytest.raises(PermissionDenied) as exc:
        services.appeal_file(actor=cast["org_user_out"], line=scored["line"], grounds="不服")
    assert exc.value.message == "只有本组织账号可以对扣分提出申诉"
    assert ScoreAppeal.objects.count() == 0


def test_a_line_without_deduction_cannot_be_appealed(cast, scored):
    line = scored["card"].lines.get(item__code="party")
    with pytest.raises(ValidationFailed) as exc:
        services.appeal_file(actor=cast["org_user"], line=line, grounds="不服")
    assert exc.value.message == "“党建工作”没有扣分，无需申诉"
    assert ScoreAppeal.objects.count() == 0


def test_a_second_open_appeal_on_the_same_line_is_refused(cast, scored):
    services.appeal_file(actor=cast["org_user"], line=scored["line"], grounds="活动已开展")
    with pytest.raises(Conflict) as exc:
        services.appeal_file(actor=cast["org_user"], line=scored["line"], grounds="再次申诉")
    assert exc.value.code == "stars.appeal_pending"
    assert ScoreAppeal.objects.count() == 1


def test_an_adjusted_appeal_raises_the_line_and_the_months_total(cast, scored):
    appeal = services.appeal_file(actor=cast["org_user"], line=scored["line"], grounds="活动已开展")
    services.appeal_transition(
        actor=cast["district"],
        appeal=appeal,
        transition="adjust",
        note="补充材料属实",
        adjusted_points="2.5",
    )
    appeal.refresh_from_db()
    scored["line"].refresh_from_db()
    assert appeal.state == AppealState.ADJUSTED
    assert appeal.adjusted_points == Decimal("2.5")
    assert scored["line"].points == Decimal("2.5")
    assert scored["line"].original_points == Decimal("0.0")
    assert MonthlyScorecard.objects.get().total == Decimal("9.5")
    event = AuditEvent.objects.get(kind="stars.appeal_adjusted")
    assert event.payload == {
        "transition": "adjust",
        "points_before": "0.0",
        "points_after": "2.5",
        # every move on the one engine also records the states and the note
        "from": "submitted",
        "to": "adjusted",
        "note": "补充材料属实",
    }
    assert Notification.objects.filter(kind="stars.appeal", recipient=cast["org_user"]).count() == 1


def test_an_upheld_appeal_keeps_the_score(cast, scored):
    appeal = services.appeal_file(actor=cast["org_user"], line=scored["line"], grounds="活动已开展")
    services.appeal_transition(
        actor=cast["district"], appeal=appeal, transition="uphold", note="无活动记录"
    )
    assert ScoreAppeal.objects.get().state == AppealState.UPHELD
    assert MonthlyScorecard.objects.get().total == Decimal("7.0")


def test_an_adjustment_must_raise_the_score_within_the_items_maximum(cast, scored):
    appeal = services.appeal_file(actor=cast["org_user"], line=scored["line"], grounds="活动已开展")
    with pytest.raises(ValidationFailed) as exc:
        services.appeal_transition(
            actor=cast["district"],
            appeal=appeal,
            transition="adjust",
            note="属实",
            adjusted_points="3",
        )
    assert exc.value.message == "调整后得分须在0到2.5分之间，最多一位小数"
    assert ScoreAppeal.objects.get().state == AppealState.SUBMITTED
    assert MonthlyScorecard.objects.get().total == Decimal("7.0")


def test_a_bureau_outside_the_region_cannot_decide_an_appeal(cast, scored):
    appeal = services.appeal_file(actor=cast["org_user"], line=scored["line"], grounds="活动已开展")
    with pytest.raises(PermissionDenied):
        services.appeal_transition(
            actor=cast["district_out"], appeal=appeal, transition="uphold", note="x"
        )
    assert ScoreAppeal.objects.get().state == AppealState.SUBMITTED


def test_the_hub_that_scored_cannot_decide_the_appeal_against_itself(cast, scored):
    appeal = services.appeal_file(actor=cast["org_user"], line=scored["line"], grounds="活动已开展")
    with pytest.raises(PermissionDenied):
        services.appeal_transition(actor=cast["hub"], appeal=appeal, transition="uphold", note="x")
    assert ScoreAppeal.objects.get().state == AppealState.SUBMITTED


def test_a_decided_appeal_cannot_be_decided_again(cast, scored):
    appeal = services.appeal_file(actor=cast["org_user"], line=scored["line"], grounds="活动已开展")
    services.appeal_transition(actor=cast["district"], appeal=appeal, transition="uphold", note="x")
    with pytest.raises(InvalidTransition):
        services.appeal_transition(
            actor=cast["district"], appeal=appeal, transition="adjust", note="x", adjusted_points=2
        )


def test_a_scorecard_under_appeal_cannot_be_rescored(cast, scored):
    services.appeal_file(actor=cast["org_user"], line=scored["line"], grounds="活动已开展")
    with pytest.raises(Conflict) as exc:
        score(cast["hub"], scored["assoc"], months_ago(1), "9")
    assert exc.value.code == "stars.scorecard_appealed"
    assert MonthlyScorecard.objects.get().total == Decimal("7.0")


@pytest.fixture
def task(cast, world):
    for n in (3, 2, 1):
        score(cast["hub"], world["assoc"], months_ago(n), "5")
    return InterviewTask.objects.get()


def test_the_interview_is_recorded_with_a_rectification_deadline(cast, task):
    today = timezone.localdate()
    services.interview_record(actor=cast["hub"], task=task, held_on=today, outcome="已约谈负责人")
    task.refresh_from_db()
    assert task.state == InterviewState.RECTIFYING
    assert task.rectification_due == today + dt.timedelta(days=30)
    event = AuditEvent.objects.get(kind="stars.interview_held")
    assert event.on_behalf_of == "历下区社会组织孵化基地（受民政局委托）"


def test_an_unresolved_rectification_flags_removal_from_the_incubation_base(cast, task):
    today = timezone.localdate()
    services.interview_record(actor=cast["hub"], task=task, held_on=today, outcome="已约谈")
    services.interview_resolve(actor=cast["hub"], task=task, rectified=False, note="仍未开展活动")
    task.refresh_from_db()
    assert task.state == InterviewState.UNRESOLVED
    flag = RemovalFlag.objects.get()
    assert flag.organization == task.organization
    assert flag.hub == task.hub
    assert flag.reason == f"{task.detail}；约谈后整改不到位：仍未开展活动"


def test_a_rectified_organisation_is_not_flagged(cast, task):
    today = timezone.localdate()
    services.interview_record(actor=cast["district"], task=task, held_on=today, outcome="已约谈")
    services.interview_resolve(actor=cast["district"], task=task, rectified=True, note="已整改")
    assert InterviewTask.objects.get().state == InterviewState.RECTIFIED
    assert RemovalFlag.objects.count() == 0


def test_an_outsider_cannot_work_an_interview_and_nothing_changes(cast, task):
    with pytest.raises(PermissionDenied):
        services.interview_record(
            actor=cast["district_out"], task=task, held_on=timezone.localdate(), outcome="x"
        )
    assert InterviewTask.objects.get().state == InterviewState.OPEN


def test_a_rectification_cannot_be_checked_before_the_interview(cast, task):
    with pytest.raises(InvalidTransition):
        services.interview_resolve(actor=cast["hub"], task=task, rectified=False, note="x")
    assert RemovalFlag.objects.count() == 0


def test_a_rectification_past_its_deadline_is_flagged_by_the_daily_sweep(cast, task):
    today = timezone.localdate()
    services.interview_record(
        actor=cast["hub"],
        task=task,
        held_on=today - dt.timedelta(days=40),
        outcome="已约谈",
        rectification_due=today - dt.timedelta(days=1),
    )
    assert services.rectification_overdue_sweep(on=today - dt.timedelta(days=1)) == 0
    assert services.rectification_overdue_sweep(on=today) == 1
    task.refresh_from_db()
    assert task.state == InterviewState.UNRESOLVED
    assert task.resolution_note == f"逾期未整改（整改期限{today - dt.timedelta(days=1)}）"
    assert RemovalFlag.objects.get().task == task
    assert services.rectification_overdue_sweep(on=today) == 0
