"""manage.py stars_overdue_rectifications: close overdue rectifications as unresolved (daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from npohub.stars.services import rectification_overdue_sweep


class Command(BaseCommand):
    help = "Flag organisations whose rectification deadline passed for removal from their base."

    def handle(self, *args: Any, **options: Any) -> None:
        count = rectification_overdue_sweep()
        self.stdout.write(f"逾期未整改：{count} 个约谈任务已标记退出孵化基地。")
