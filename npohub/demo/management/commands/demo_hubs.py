"""manage.py demo_hubs: the Jinan hub-governance demo (after load_demo and demo_accounts)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from npohub.core.errors import DomainError
from npohub.demo.hubs_demo import describe, load_hubs_demo


class Command(BaseCommand):
    help = "Load the hub demo: 177 hubs, street federations, platforms, pairings, members."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = load_hubs_demo()
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if not summary.federations:
            self.stdout.write("枢纽演示数据已存在，未作修改。")
            return
        figures = "，".join(f"{k} {v}" for k, v in describe(summary).items())
        self.stdout.write(f"已加载枢纽演示数据：{figures}")
