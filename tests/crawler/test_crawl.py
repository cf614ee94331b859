"""Every demo role, and an anonymous visitor, walks the demo from the page sign-in lands on:
no link or GET form leads to an error, no page shows a raw code or an English error page, and
every date input can hold its value. What was walked (pages, time, per role, the slowest
pages) is written to test-artifacts/crawler-<database>.txt."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import resolve, reverse

from npohub.accounts.models import User

from .codes import known_codes
from .crawl import Walker, WalkResult, code_pattern
from .demo import Account, accounts

pytestmark = pytest.mark.django_db

logger = logging.getLogger(__name__)
MAX_DEPTH = 4  # links followed from the landing page (the issue asks for 3 at least)
PER_PATTERN = 2  # URLs walked per page type (URL name + query parameter names) and role


def sign_in(client: Client, account: Account) -> str:
    """Sign in through the sign-in page as a person does (with the authenticator's code when
    the role needs a second factor); the page it then sends them to."""
    response = client.post(
        reverse("accounts:login"), {"username": account.username, "password": account.password}
    )
    assert response.status_code == 302, f"{account.username} 无法登录（{response.status_code}）"
    landing = str(response["Location"])
    if resolve(urlsplit(landing).path).view_name == "accounts:otp-verify":
        response = client.post(landing, {"code": authenticator_code(account.username)})
        assert response.status_code == 302, f"{account.username} 验证码未通过"
        landing = str(response["Location"])
    return landing


def authenticator_code(username: str) -> str:
    """The current code of the user's authenticator (the demo accounts' devices hold a key the
    demo knows), as the phone app would show it."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def walk_as(account: Account | None, codes) -> WalkResult:
    client = Client(raise_request_exception=False)
    who = account.username if account else "（未登录）"
    start = sign_in(client, account) if account else "/"
    walker = Walker(
        who=who,
        client=client,
        codes=codes,
        max_depth=MAX_DEPTH,
        per_pattern=PER_PATTERN,
        signed_in=account is not None,
    )
    return walker.walk(start)


def test_every_role_walks_the_demo_without_dead_ends_raw_codes_or_unusable_dates(demo_site):
    # Usernames are shown as they are (and "city", "party" … are also choice codes).
    usernames = set(User.objects.values_list("username", flat=True))
    codes = code_pattern(known_codes() - usernames)
    started = time.perf_counter()
    results = [walk_as(None, codes)] + [walk_as(a, codes) for a in accounts()]
    seconds = time.perf_counter() - started
    lines = [
        f"演示数据加载 {demo_site.seconds:.1f} 秒；遍历 {sum(r.pages for r in results)} 个页面"
        f"（{sum(r.requests for r in results)} 次请求），用时 {seconds:.1f} 秒"
    ]
    for r in results:
        lines.append(
            f"  {r.who:<14} 起始 {r.landing:<28} 页面 {r.pages:>4}  深度 {r.max_depth}  "
            f"页面类型 {len(r.patterns):>3}  {r.seconds:5.1f} 秒  问题 {len(r.problems)}"
        )
    slowest = sorted((s for r in results for s in r.slowest), reverse=True)[:15]
    lines += ["最慢的页面："] + [f"  {t:5.2f} 秒 {url}" for t, url in slowest]
    report = "\n".join(lines)
    logger.info(report)
    artifacts = Path(settings.BASE_DIR) / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / f"crawler-{connection.vendor}.txt").write_text(report + "\n", encoding="utf-8")
    problems = [line for r in results for line in r.grouped()]
    assert not problems, "\n".join(lines + problems)
