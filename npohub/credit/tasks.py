"""Background entry points of the credit app (the daily evaluation)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_tasks import task

from .services import credit_evaluate


@task()
def evaluate_credit_task(on: str = "") -> dict[str, Any]:
    """Run the detectors and listing rules for the date (today by default); idempotent."""
    day = dt.date.fromisoformat(on) if on else timezone.localdate()
    return credit_evaluate(on=day, actor=None).as_dict()
