"""manage.py demo_otp_code: the current two-factor code of the demo accounts (local demo only).

Works only for authenticators that carry the demo's public key (``DEMO_TOTP_SECRET``): it
cannot show the codes of a real user's authenticator.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from npohub.demo.accounts import DEMO_TOTP_KEY


class Command(BaseCommand):
    help = "Print the current 2FA code of the demo accounts (demo key only). Local demo only."

    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        users = list(
            TOTPDevice.objects.filter(key=DEMO_TOTP_KEY, confirmed=True)
            .order_by("user__username")
            .values_list("user__username", flat=True)
        )
        if not users:
            self.stdout.write("没有使用演示密钥的账号：请先运行 manage.py demo_accounts")
            return
        totp = TOTP(bytes.fromhex(DEMO_TOTP_KEY))
        now = time.time()
        totp.time = now
        left = 30 - int(now) % 30
        self.stdout.write(f"{'、'.join(users)} 当前验证码：{totp.token():06d}（{left} 秒后更换）")
