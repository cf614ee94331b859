"""Load a statistical division file (统计用区划代码) into the region hierarchy."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from npohub.core.errors import DomainError
from npohub.regions.importing import LAYOUTS
from npohub.regions.services import region_import

SHIPPED_SLICE = Path(__file__).resolve().parents[2] / "data" / "divisions-3701"


def default_source() -> Path:
    """The national files in ../shared/ when present, else the shipped Jinan slice."""
    national = Path(settings.SHARED_DIR) / "data" / "divisions"
    return national if national.is_dir() else SHIPPED_SLICE


class Command(BaseCommand):
    help = "导入行政区划（csv5：五个 CSV 文件；nbs：国家统计局 代码/城乡分类代码/名称）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", type=Path, default=None, help="文件或目录")
        parser.add_argument("--layout", choices=LAYOUTS, default="csv5")
        parser.add_argument("--year", type=int, required=True, help="数据年份，如 2023")
        parser.add_argument(
            "--effective-date",
            type=date.fromisoformat,
            default=None,
            help="生效日期 YYYY-MM-DD（默认为该年 6 月 30 日）",
        )
        parser.add_argument("--scope", default="", help="只处理此代码前缀内的区划，如 3701")

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["source"] or default_source()
        effective = options["effective_date"] or date(options["year"], 6, 30)
        started = time.perf_counter()
        try:
            record = region_import(
                source=source,
                layout=options["layout"],
                year=options["year"],
                effective_date=effective,
                scope_prefix=options["scope"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"{source}: 新增 {record.created}，更新 {record.updated}，未变 {record.unchanged}，"
                f"撤销 {record.deactivated}（{elapsed:.1f} 秒）"
            )
        )
