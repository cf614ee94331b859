"""``manage.py remind_annual_reports [--date YYYY-MM-DD]``: the daily annual-report reminder."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from npohub.supervision.services import report_remind_deadlines


class Command(BaseCommand):
    help = "提醒尚未报送年度工作报告的组织（截止日前30、7、1天，可配置；同一天不重复提醒）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", default="", help="按该日期计算（默认今天），格式 2026-03-01")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            on = dt.date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as exc:
            raise CommandError(f"日期“{options['date']}”格式应为 2026-03-01") from exc
        count = report_remind_deadlines(today=on)
        self.stdout.write(f"已提醒 {count} 个组织")
