"""manage.py demo_ratings: the Jinan grade-assessment demo (after load_demo and demo_accounts)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from npohub.demo.ratings_demo import describe, load_ratings_demo


class Command(BaseCommand):
    help = "Load the grade-assessment demo: a finished Jinan round and one open for scoring."

    def handle(self, *args: Any, **options: Any) -> None:
        from npohub.accounts.models import User

        if not User.objects.filter(username__in=["city", "district"]).count() == 2:
            raise CommandError("请先运行 manage.py demo_accounts")
        summary = load_ratings_demo()
        if not summary.finished:
            self.stdout.write("等级评估演示数据已存在，未作修改。")
            return
        figures = "，".join(f"{k} {v}" for k, v in describe(summary).items())
        self.stdout.write(f"已加载等级评估演示数据：{figures}")
