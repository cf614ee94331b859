"""manage.py demo_supervision: last year's annual reports in every state (after demo_accounts)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from npohub.demo.supervision_demo import load_supervision_demo


class Command(BaseCommand):
    help = "Load the annual-report demo: last year's reports in every state, some late, with conclusions."

    def handle(self, *args: Any, **options: Any) -> None:
        from npohub.accounts.models import User

        if not User.objects.filter(username="org").exists():
            raise CommandError("请先运行 manage.py demo_accounts")
        summary = load_supervision_demo()
        if not summary.reports and not summary.bulk:
            self.stdout.write("年报演示数据已存在，未作修改。")
            return
        from npohub.supervision.workflows import state_label

        # "never": sampled organisations left without any report, to show up as missing.
        labels = {"never": "未填报"}
        states = "，".join(
            f"{labels.get(k) or state_label(k)} {v}" for k, v in sorted(summary.states.items())
        )
        self.stdout.write(
            f"已加载年报演示数据：逐项办理 {summary.reports} 份（{states}），批量按时报送 {summary.bulk} 份"
        )
