"""Background entry points of the registration app (run daily by the task worker or cron)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from .services import application_remind_deadlines


@task()
def remind_deadlines_task(on: str = "") -> int:
    """Remind the bureau of applications near or past the statutory deadline (idempotent)."""
    return application_remind_deadlines(today=dt.date.fromisoformat(on) if on else None)
