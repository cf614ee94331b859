"""manage.py verify_spot_check <plan id> [--seed HEX]: recompute a spot-check draw.

Checks that sha256(seed) is the hash published at the commit, then recomputes every stratum's
drawn organisations and every check's inspectors from the seed and the snapshots stored at the
draw (``inspections/draw.py`` documents the algorithm), and compares them with the published
lists. Exits with an error when anything differs.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from npohub.inspections.models import SpotCheckPlan
from npohub.inspections.services import plan_verify


class Command(BaseCommand):
    help = "Recompute a spot-check draw from its seed and compare it with the published lists."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("plan_id", type=int)
        parser.add_argument(
            "--seed", default=None, help="64 hex digits (default: the published seed)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        plan = SpotCheckPlan.objects.filter(pk=options["plan_id"]).first()
        if plan is None:
            raise CommandError("抽查计划不存在")
        if options["seed"] is None and not plan.seed_is_public:
            raise CommandError("随机种子尚未公开：请用 --seed 提供种子")
        result = plan_verify(plan, seed_hex=options["seed"])
        if result.error:
            raise CommandError(result.error)
        write = self.stdout.write
        write(f"计划：{plan.pk} {plan.title}")
        write(f"公布的哈希：{result.committed_hash}")
        write(f"种子的哈希：{result.seed_hash}")
        write(f"种子哈希：{'相符' if result.hash_ok else '不符'}")
        for s in result.strata:
            write(
                f"层 {s.key}：名录 {s.population}，比例 {s.ratio}，重新计算 {len(s.expected)} 个，"
                f"{'一致' if s.ok else '不一致'}"
            )
            if not s.ok:
                write(f"  重新计算：{' '.join(s.expected)}")
                write(f"  公布：{' '.join(s.recorded)}")
        bad = [i for i in result.inspectors if not i.ok]
        write(
            f"检查人员：{len(result.inspectors) - len(bad)}/{len(result.inspectors)} 个检查对象一致"
        )
        for item in bad:
            write(
                f"  第{item.number}号 {item.organization}：重新计算 {item.expected}，公布 {item.recorded}"
            )
        if not result.ok:
            raise CommandError("结果：不一致")
        write("结果：一致")
