"""A bureau user's first sign-in in a real browser: the password, then setting up the
authenticator from the page (its key read off the screen, as a person types it into an app),
the ten recovery codes, and the next sign-in with one of them. Screenshots: test-artifacts/."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse
from django_otp.oath import TOTP

from npohub.accounts.models import Role
from npohub.accounts.tests.factories import UserFactory
from npohub.regions.tests.factories import jinan_tree

from .test_smoke import watch_errors

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "pass-Word-123"


@pytest.fixture
def _second_factor_not_required():
    """This walk keeps the second factor required (overrides the browser conftest's fixture)."""


def code_for_shown_key(shown: str) -> str:
    import base64

    key = base64.b32decode(shown.replace(" ", "") + "=" * (-len(shown.replace(" ", "")) % 8))
    return f"{TOTP(key).token():06d}"


def test_a_bureau_user_sets_up_two_factor_sign_in_and_later_uses_a_recovery_code(
    live_server, browser, artifacts_dir
):
    r = jinan_tree()
    UserFactory(username="lixia_bureau", role=Role.DISTRICT_BUREAU, region=r["lixia"])
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = watch_errors(page)

    page.goto(base + reverse("accounts:login"))
    page.fill("input[name=username]", "lixia_bureau")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/2fa/setup/**")
    page.locator("#otp-qr svg").wait_for()
    page.wait_for_load_state("networkidle")
    assert "/accounts/2fa/setup/" in page.url  # stays put (no reload loop)
    page.screenshot(path=str(artifacts_dir / "2fa-01-setup.png"), full_page=True)

    # Anything else sends the user back here until the authenticator is confirmed.
    page.goto(base + reverse("orgs:organization-list"))
    page.wait_for_url("**/accounts/2fa/setup/**")

    page.fill("input[name=code]", code_for_shown_key(page.locator("#otp-secret").inner_text()))
    page.get_by_role("button", name="确认并启用").click()
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.screenshot(path=str(artifacts_dir / "2fa-02-recovery-codes.png"), full_page=True)
    page.get_by_role("link", name="我已保存，继续").click()
    page.goto(base + reverse("orgs:organization-list"))
    assert "/accounts/2fa/" not in page.url

    page.locator("form[action='/accounts/logout/'] button").first.click()
    page.wait_for_url("**/accounts/login/**")
    page.fill("input[name=username]", "lixia_bureau")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/2fa/verify/**")
    page.screenshot(path=str(artifacts_dir / "2fa-03-verify.png"), full_page=True)
    page.fill("input[name=code]", codes[0])
    page.get_by_role("button", name="验证并登录").click()
    page.wait_for_load_state()
    assert "/accounts/2fa/" not in page.url and "/accounts/login" not in page.url
    assert "还剩 9 个" in page.content()
    context.close()

    assert errors == []
