from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from npohub.notifications.models import Channel
from npohub.notifications.tasks import send_notification_digest_task

from .factories import NotificationFactory

pytestmark = pytest.mark.django_db


def pending(user, day):
    return NotificationFactory(
        recipient=user,
        channel=Channel.DIGEST,
        created_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))),
    )


def test_the_command_sends_the_digest_for_the_given_day(people, capsys):
    pending(people["alice"], dt.date(2024, 3, 1))

    call_command("send_notification_digest", "--date", "2024-03-01")
    call_command("send_notification_digest", "--date", "2024-03-01")

    assert len(mail.outbox) == 1
    out = capsys.readouterr().out
    assert "1 e-mail(s) sent" in out and "0 e-mail(s) sent" in out


def test_the_command_refuses_a_malformed_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("send_notification_digest", "--date", "2024/03/01")


def test_the_task_defaults_to_today(people):
    pending(people["alice"], timezone.localdate())

    send_notification_digest_task.enqueue()

    assert [m.to for m in mail.outbox] == [["alice@example.cn"]]
