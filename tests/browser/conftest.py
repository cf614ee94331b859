"""Browser tests: Playwright's sync API runs an event loop in the test thread, so Django's
async-safety guard would refuse the ORM calls the test makes around it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def chromium_path() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@pytest.fixture(autouse=True)
def _second_factor_not_required(settings):
    """The workflow walks sign in with the password alone: the second factor has its own walk
    (test_two_factor_flow.py) and unit tests (npohub/accounts/tests/test_two_factor.py)."""
    settings.OTP_REQUIRED_ROLES = []


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = Path(settings.BASE_DIR) / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
def browser():
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium binary found (looked for chromium on PATH and /usr/bin/chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_menu_item(page, label: str) -> None:
    """Click a header menu item as a person does: hover its drop-down group first when the item
    sits in one (groups with a single item are plain links)."""
    link = page.locator(".topnav a", has_text=label).first
    if not link.is_visible():
        page.locator(".navgroup", has=page.locator(f'a:has-text("{label}")')).first.hover()
    link.click()
