"""Phones: at 390 px the header folds behind 菜单, 登录 stays on screen, signing in lands on the
home page, and no page is wider than the screen (wide tables scroll inside their box)."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse

from npohub.accounts.models import Role
from npohub.accounts.tests.factories import UserFactory
from npohub.orgs.models import Category
from npohub.orgs.tests.factories import OrganizationFactory
from npohub.regions.tests.factories import jinan_tree

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


@pytest.fixture
def street_user():
    Category.objects.get_or_create(code="volunteer", defaults={"name": "志愿服务"})
    r = jinan_tree()
    for n in range(5):
        OrganizationFactory(
            name=f"解放路街道第{n}个名称很长很长的社区志愿服务协会", community=r["c_jfq1"]
        )
    return UserFactory(username="street_phone", role=Role.STREET_OFFICER, region=r["jiefangqiao"])


def page_width(page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_the_public_site_fits_a_phone_and_keeps_the_login_link_on_screen(live_server, browser):
    page = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()

    page.goto(live_server.url + reverse("portal:home"))

    assert page_width(page) <= PHONE["width"]
    assert page.get_by_role("link", name="登录").first.is_visible()
    menu = page.locator("#site-menu")
    assert not menu.is_visible()
    page.get_by_role("button", name="菜单").click()
    assert menu.is_visible()
    assert page.locator("[data-menu-toggle]").get_attribute("aria-expanded") == "true"


def test_staff_sign_in_on_a_phone_lands_home_and_no_page_is_wider_than_the_screen(
    live_server, browser, street_user, artifacts_dir
):
    page = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    page.goto(live_server.url + reverse("accounts:login"))
    page.fill("input[name=username]", "street_phone")
    page.fill("input[name=password]", "pass-Word-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"**{reverse('dashboards:home')}")

    assert page.locator("h1", has_text="工作台").is_visible()
    assert page_width(page) <= PHONE["width"]
    page.screenshot(path=str(artifacts_dir / "home-390.png"), full_page=True)
    page.get_by_role("button", name="菜单").click()
    page.locator("#site-menu").get_by_role("link", name="社会组织名录").click()
    page.wait_for_url(f"**{reverse('orgs:organization-list')}")
    assert page_width(page) <= PHONE["width"]


def test_on_a_desktop_the_menu_stays_in_the_header(live_server, browser, street_user):
    page = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    page.goto(live_server.url + reverse("accounts:login"))
    page.fill("input[name=username]", "street_phone")
    page.fill("input[name=password]", "pass-Word-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"**{reverse('dashboards:home')}")

    assert not page.locator("[data-menu-toggle]").is_visible()
    assert page.locator("#site-menu").is_visible()
    assert page_width(page) <= DESKTOP["width"]
