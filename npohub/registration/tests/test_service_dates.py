"""Texts the registration services write (notifications, refusals) give dates the project's one
way (``cn_date``: 2026年3月2日), never as ISO codes (2026-03-02)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from npohub.core.errors import InvalidTransition, ValidationFailed
from npohub.notifications.models import Notification
from npohub.registration import services
from npohub.registration.models import ReviewTask

from .factories import ESTABLISHMENT_DOCS, attach, establishment

pytestmark = pytest.mark.django_db

D0 = dt.date(2026, 3, 2)


def chinese(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def test_a_review_task_notification_gives_the_due_date_in_chinese(cast, depts):
    app = establishment(cast["resident"])
    attach(app, cast["resident"], *ESTABLISHMENT_DOCS)
    services.application_transition(actor=cast["resident"], app=app, transition="submit")
    services.application_transition(actor=cast["district"], app=app, transition="accept", today=D0)

    task = ReviewTask.objects.get(application=app, department=depts["party"])
    assert task.due_on is not None
    note = Notification.objects.get(
        recipient=depts["users"]["party"], kind="registration.review_task"
    )
    assert f"请在 {chinese(task.due_on)} 前提出意见" == note.body
    assert task.due_on.isoformat() not in note.body


def test_ending_a_delegation_again_names_its_end_date_in_chinese(cast, delegation):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    services.filing_delegation_end(
        actor=cast["street"], delegation=delegation, valid_until=yesterday
    )

    with pytest.raises(InvalidTransition) as exc:
        services.filing_delegation_end(
            actor=cast["street"], delegation=delegation, valid_until=yesterday
        )
    assert exc.value.message == f"该委托已于{chinese(yesterday)}结束"
    delegation.refresh_from_db()
    assert delegation.valid_until == yesterday


def test_refusals_of_a_delegation_end_date_name_the_limit_in_chinese(cast, delegation):
    too_early = delegation.valid_from - dt.timedelta(days=5)
    with pytest.raises(ValidationFailed) as exc:
        services.filing_delegation_end(
            actor=cast["street"], delegation=delegation, valid_until=too_early
        )
    day_before = delegation.valid_from - dt.timedelta(days=1)
    assert chinese(day_before) in exc.value.message
    assert day_before.isoformat() not in exc.value.message

    end = timezone.localdate() + dt.timedelta(days=30)
    services.filing_delegation_end(actor=cast["street"], delegation=delegation, valid_until=end)
    with pytest.raises(ValidationFailed) as exc:
        services.filing_delegation_end(
            actor=cast["street"], delegation=delegation, valid_until=end + dt.timedelta(days=1)
        )
    assert f"原定截止日期为{chinese(end)}" in exc.value.message
    delegation.refresh_from_db()
    assert delegation.valid_until == end
