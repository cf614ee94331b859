"""Run the credit evaluation for a date: ``manage.py evaluate_credit [--on YYYY-MM-DD]``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from npohub.credit.services import credit_evaluate


class Command(BaseCommand):
    help = "Run the credit detectors and listing rules for a date (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--on", default="", help="YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = dt.date.fromisoformat(options["on"]) if options["on"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--on: {exc}") from exc
        result = credit_evaluate(on=day, actor=None)
        self.stdout.write(" ".join(f"{k}={v}" for k, v in result.as_dict().items()))
