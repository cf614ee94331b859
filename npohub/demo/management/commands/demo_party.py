"""manage.py demo_party: the Jinan party-building demo (after load_demo and demo_accounts)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from npohub.demo.party_demo import describe, load_party_demo


class Command(BaseCommand):
    help = (
        "Load the party-building demo: work stations, industry committees, branches, instructors."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        from npohub.accounts.models import User

        if not User.objects.filter(username="party").exists():
            raise CommandError("请先运行 manage.py demo_accounts")
        summary = load_party_demo()
        if not summary.stations and not summary.own:
            self.stdout.write("党建演示数据已存在，未作修改。")
            return
        figures = "，".join(f"{k} {v}" for k, v in describe(summary).items())
        self.stdout.write(f"已加载党建演示数据：{figures}")
