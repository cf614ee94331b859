"""Background entry points of the supervision app (run daily by the task worker or cron)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from .services import report_remind_deadlines


@task()
def remind_annual_reports_task(on: str = "") -> int:
    """Remind organisations of the annual-report deadlines (idempotent per day)."""
    return report_remind_deadlines(today=dt.date.fromisoformat(on) if on else None)
