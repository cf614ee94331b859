"""manage.py demo_inspections: a finished spot-check round for 历下区 and an open plan (after demo_accounts)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from npohub.demo.inspections_demo import load_inspections_demo


class Command(BaseCommand):
    help = "Load the spot-check demo: a finished 双随机一公开 round and an open plan for this year."

    def handle(self, *args: Any, **options: Any) -> None:
        from npohub.accounts.models import User

        if not User.objects.filter(username="district").exists():
            raise CommandError("请先运行 manage.py demo_accounts")
        summary = load_inspections_demo()
        if not summary.plans:
            self.stdout.write("抽查演示数据已存在，未作修改。")
            return
        self.stdout.write(
            f"已加载抽查演示数据：计划 {summary.plans} 个，检查对象 {summary.checks} 个，逾期整改 {summary.overdue} 件"
        )
