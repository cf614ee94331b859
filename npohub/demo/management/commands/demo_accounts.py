"""manage.py demo_accounts: one demo account per role (and ``admin``), printed with passwords."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from npohub.demo.accounts import DEMO_TOTP_SECRET, DemoAccountsError, demo_accounts_create


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
            (r.username + (" *" if r.second_factor else ""), r.password, r.role_label, r.scope)
            for r in rows
        ]
        widths = [max(_width(row[i]) for row in table) for i in range(3)]
        for row in table:
            self.stdout.write(
                "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3]
            )
        with_2fa = [r.username for r in rows if r.second_factor]
        if with_2fa:
            secret = " ".join(
                DEMO_TOTP_SECRET[i : i + 4] for i in range(0, len(DEMO_TOTP_SECRET), 4)
            )
            self.stdout.write(
                f"* {'、'.join(with_2fa)} 须两步验证：输入密码后再输入身份验证器上的 6 位验证码。\n"
                f"  在手机身份验证器中选“手动输入密钥”（基于时间）添加：{secret}\n"
                "  或运行 manage.py demo_otp_code 显示当前验证码（同一验证码每个账号只能用一次）。"
            )
        self.stdout.write(
            self.style.WARNING("演示账号的密码和两步验证密钥固定且公开，仅用于本机演示。")
        )
