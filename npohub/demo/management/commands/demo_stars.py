"""manage.py demo_stars: monthly scores, star ratings and an award round (after demo_hubs)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from npohub.demo.stars_demo import describe, load_stars_demo


class Command(BaseCommand):
    help = (
        "Load the stars demo: a year of monthly scores for the members of the demo hubs, star "
        "ratings, one finished award round."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = load_stars_demo()
        if summary.existed:
            self.stdout.write("月度评分与星级演示数据已存在，未作修改。")
            return
        if not summary.scorecards:
            self.stdout.write(
                "没有找到有工作人员和成员的枢纽组织（请先运行 manage.py demo_hubs），未创建任何数据。"
            )
            return
        figures = "，".join(f"{k} {v}" for k, v in describe(summary).items())
        self.stdout.write(f"已加载月度评分与星级演示数据：{figures}")
