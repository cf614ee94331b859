"""manage.py send_notification_digest [--date YYYY-MM-DD]: the daily digest e-mails (run daily)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from npohub.notifications.services import digest_send


class Command(BaseCommand):
    help = (
        "E-mail each user one summary of their unread daily-digest notifications up to the end "
        "of the given day (default today). Safe to run twice: nothing is sent again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", default="", help="the day to summarise, YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            on = dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--date must be YYYY-MM-DD, got {options['date']!r}") from exc
        sent = digest_send(on=on)
        self.stdout.write(f"Notification digest for {on.isoformat()}: {sent} e-mail(s) sent")
