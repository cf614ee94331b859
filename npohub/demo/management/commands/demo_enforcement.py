"""manage.py demo_enforcement: complaints, penalty cases and a dormant clean-up campaign."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from npohub.demo.enforcement_demo import load_enforcement_demo


class Command(BaseCommand):
    help = (
        "Load the enforcement demo: complaints, decided penalties, a clean-up campaign and "
        "organisations on both credit lists."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        from npohub.accounts.models import User

        if not User.objects.filter(username="district").exists():
            raise CommandError("请先运行 manage.py demo_accounts")
        summary = load_enforcement_demo()
        if not summary.complaints:
            self.stdout.write("执法演示数据已存在（或演示组织不足），未作修改。")
            return
        from npohub.enforcement.workflows import DORMANT_OUTCOMES

        outcomes = "、".join(
            f"{DORMANT_OUTCOMES.get(k, k)} {v}" for k, v in sorted(summary.outcomes.items())
        )
        self.stdout.write(
            f"已加载执法演示数据：投诉举报 {summary.complaints} 件，处罚案件 "
            f"{'、'.join(summary.cases.values())}，清理对象 {summary.candidates} 家，"
            f"处置 {outcomes}，信用评估新列入名单 {summary.listed} 次"
        )
