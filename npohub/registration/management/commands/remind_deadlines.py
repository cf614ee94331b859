"""``manage.py remind_deadlines [--date YYYY-MM-DD]``: the daily statutory-deadline reminder."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from npohub.registration.services import application_remind_deadlines


class Command(BaseCommand):
    help = "提醒登记管理机关即将到期或已超期的申请（同一申请每天最多提醒一次）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", default="", help="按该日期计算（默认今天），格式 2026-03-01")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            on = dt.date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as exc:
            raise CommandError(f"日期“{options['date']}”格式应为 2026-03-01") from exc
        count = application_remind_deadlines(today=on)
        self.stdout.write(f"已提醒 {count} 件申请")
