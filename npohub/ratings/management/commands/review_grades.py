"""Review grades as of a date: ``manage.py review_grades [--on YYYY-MM-DD]`` (idempotent)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from npohub.ratings.services import grades_review


class Command(BaseCommand):
    help = "Lapse expired grades, downgrade on rule-43 triggers and send expiry reminders."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--on", default="", help="YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = dt.date.fromisoformat(options["on"]) if options["on"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--on: {exc}") from exc
        result = grades_review(on=day, actor=None)
        self.stdout.write(" ".join(f"{k}={v}" for k, v in result.as_dict().items()))
