"""Background entry points for notifications. Tasks take IDs or ISO dates and call a service."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from .services import digest_send, notification_emails_send


@task()
def send_notification_emails_task(notification_ids: list[int]) -> int:
    """Send the immediate e-mails of new notifications; rows already e-mailed are skipped."""
    return notification_emails_send(notification_ids=notification_ids)


@task()
def send_notification_digest_task(on: str = "") -> int:
    """Send the daily digest for ``on`` (ISO date, default today); a second run sends nothing."""
    day = dt.date.fromisoformat(on) if on else timezone.localdate()
    return digest_send(on=day)
