"""manage.py rebuild_org_rollups [--prefix CODE]: recount OrgRollup from the registry."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from npohub.orgs.rollups import rebuild_org_rollups


class Command(BaseCommand):
    help = "Rebuild the per-region organisation counts (OrgRollup) from the base table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--prefix", default="", help="only regions under this code prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        rows = rebuild_org_rollups(prefix=options["prefix"])
        self.stdout.write(f"OrgRollup: {rows} rows in {time.perf_counter() - started:.2f} s")
