"""Background entry points of grade assessment (the daily grade review)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from .services import grades_review


@task()
def review_grades_task(on: str = "") -> dict[str, int]:
    """Lapse, downgrade and remind as of the date (today by default); idempotent."""
    day = dt.date.fromisoformat(on) if on else timezone.localdate()
    return grades_review(on=day, actor=None).as_dict()
