"""manage.py demo_registration: departments and applications in every state (after demo_accounts)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from npohub.demo.registration_demo import load_registration_demo
from npohub.registration.workflows import state_label


class Command(BaseCommand):
    help = "Load the registration demo: joint-review departments and applications in every state."

    def handle(self, *args: Any, **options: Any) -> None:
        from npohub.accounts.models import User

        if not User.objects.filter(username="district").exists():
            raise CommandError("请先运行 manage.py demo_accounts")
        summary = load_registration_demo()
        if not summary.applications:
            self.stdout.write("登记演示数据已存在，未作修改。")
            return
        states = "，".join(
            f"{state_label(k)} {v}" for k, v in sorted((summary.states or {}).items())
        )
        self.stdout.write(
            f"已加载登记演示数据：联审部门 {summary.departments} 个，申请 {summary.applications} 件（{states}）"
        )
