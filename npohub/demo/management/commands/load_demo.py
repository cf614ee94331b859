"""manage.py load_demo --size city|province|national --seed N [--force]"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from npohub.demo.generator import SIZES
from npohub.demo.loader import DemoError, load_demo


class Command(BaseCommand):
    help = (
        "Load a deterministic demo registry over the real division codes "
        "(city = Jinan: 6,388 registered + 29,000 filed open organisations)."
    )

    requires_system_checks: list[str] = []  # a data load: start fast

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=sorted(SIZES), default="city")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--force", action="store_true", help="replace an existing demo data set"
        )
        # Hidden: a fraction of the size, for tests and quick looks.
        parser.add_argument("--scale", type=float, default=1.0, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        size, seed, scale = options["size"], options["seed"], options["scale"]
        if not 0 < scale <= 1:
            raise CommandError("--scale must be in (0, 1]")
        verbose = options["verbosity"] > 1
        try:
            result = load_demo(
                size=size,
                seed=seed,
                scale=scale,
                force=options["force"],
                progress=(lambda msg: self.stdout.write(msg)) if verbose else None,
            )
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        load = result.load
        if not result.created:
            self.stdout.write(
                f"演示数据已加载（{load.size}，seed={load.seed}）：登记 {load.registered}，"
                f"备案 {load.filed}；未做改动（--force 可重新加载）"
            )
            return
        plan = result.plan
        assert plan is not None
        self.stdout.write(
            self.style.SUCCESS(
                f"已加载演示数据 {size}（seed={seed}）：登记社会组织 {load.registered} "
                f"（在册 {plan.registered_open}），备案社区社会组织 {load.filed} "
                f"（在册 {plan.filed_open}），人员 {load.persons}；"
                f"城市社区平均 {plan.urban_average:.1f}，农村社区平均 {plan.rural_average:.1f}；"
                f"用时 {load.seconds:.1f} 秒（其中区划 {result.regions_seconds:.1f} 秒）"
            )
        )
        self.stdout.write(f"digest {load.digest}")
