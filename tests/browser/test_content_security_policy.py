"""The pages work in a real browser under the Content-Security-Policy: no violation reported,
no script error — charts, htmx swaps, the region picker, the language switch and the API docs."""

from __future__ import annotations

import os

import pytest
from django.test import Client
from django.urls import reverse

from npohub.accounts.models import Role
from npohub.accounts.tests.factories import UserFactory
from npohub.dashboards.tests.helpers import rebuild_rollups
from npohub.orgs.models import Category
from npohub.orgs.tests.factories import CommunityGroupFactory, OrganizationFactory
from npohub.regions.tests.factories import jinan_tree

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def city_user():
    Category.objects.get_or_create(code="volunteer", defaults={"name": "志愿服务"})
    r = jinan_tree()
    OrganizationFactory(name="历下区养老服务协会", community=r["c_jfq1"])
    OrganizationFactory(name="章丘区文化艺术协会", community=r["c_ms_village"])
    CommunityGroupFactory.create_batch(3, community=r["c_jfq1"])
    rebuild_rollups()
    return UserFactory(username="csp_city", role=Role.CITY_BUREAU, region=r["jinan"])


def watch(page) -> list[str]:
    """CSP violations (the browser reports each on the console) and script errors."""
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"script: {exc}"))

    def on_console(message) -> None:
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            problems.append(f"{page.url}: {text}")
        elif message.type == "error" and "favicon" not in text and "status of 404" not in text:
            problems.append(f"console error on {page.url}: {text}")

    page.on("console", on_console)
    return problems


def signed_in_context(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    host = live_server.url.split("://", 1)[1].split(":")[0]
    context.add_cookies(
        [
            {"name": name, "value": morsel.value, "domain": host, "path": "/"}
            for name, morsel in client.cookies.items()
        ]
    )
    return context


def test_staff_and_public_pages_raise_no_policy_violation(browser, live_server, city_user):
    base = live_server.url
    context = signed_in_context(browser, live_server, city_user)
    page = context.new_page()
    problems = watch(page)

    page.goto(base + reverse("orgs:organization-list"))
    page.fill("input[name=q]", "养老")
    page.get_by_role("link", name="历下区养老服务协会").first.wait_for()

    page.goto(base + reverse("dashboards:region"))
    page.locator("#children-chart canvas").first.wait_for()
    page.locator("#children-chart canvas").first.hover()  # the tooltip

    page.goto(base + reverse("supervision:dashboard"))
    page.goto(base + reverse("supervision:calendar"))
    page.select_option("select[name=year]", index=1)  # data-autosubmit, no inline handler
    page.wait_for_url("**year=*")

    page.goto(base + reverse("registration:application-create"))
    page.wait_for_load_state("networkidle")

    page.goto(base + reverse("notifications:notification-list"))
    page.goto(base + "/api/v1/docs")
    page.locator(".swagger-ui").first.wait_for()
    page.wait_for_load_state("networkidle")
    context.close()

    public = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = public.new_page()
    problems += watch(page)
    page.goto(base + reverse("portal:home"))
    page.fill("input[name=q]", "养老")
    page.click("form.portal-search button[type=submit]")
    page.wait_for_url("**q=*")
    page.goto(base + "/no-such-page/")
    page.goto(base + reverse("accounts:login"))
    page.select_option("select[name=language]", "en")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    public.close()

    assert problems == []
