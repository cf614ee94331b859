"""Delete expired export files and fail exports whose process died (run from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from npohub.core.export_jobs import export_jobs_sweep


class Command(BaseCommand):
    help = "删除过期的导出文件，并把进程已中止的导出标记为失败"

    def handle(self, *args: Any, **options: Any) -> None:
        counts = export_jobs_sweep()
        self.stdout.write(f"expired: {counts['expired']}, lost: {counts['lost']}")
