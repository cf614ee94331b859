"""manage.py demo_accounts: one demo account per role (and ``admin``), printed with passwords."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from npohub.demo.accounts import DemoAccountsError, demo_accounts_create


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


class Command(BaseCommand):
    help = "Create or reset the demo accounts (one per role) for the Jinan demo. Local demo only."

    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            rows = demo_accounts_create()
        except DemoAccountsError as exc:
            raise CommandError(str(exc)) from exc
        table = [("用户名", "密码", "角色", "范围")] + [
            (r.username, r.password, r.role_label, r.scope) for r in rows
        ]
        widths = [max(_width(row[i]) for row in table) for i in range(3)]
        for row in table:
            self.stdout.write(
                "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3]
            )
        self.stdout.write(self.style.WARNING("演示账号密码固定且公开，仅用于本机演示。"))
