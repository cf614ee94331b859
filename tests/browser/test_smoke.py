"""Smoke test in a real browser: staff log in, search and open an organisation, see the region
dashboard; the public search and profile work anonymously. Screenshots go to test-artifacts/."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.urls import reverse

from npohub.accounts.models import Role
from npohub.accounts.tests.factories import UserFactory
from npohub.dashboards.tests.helpers import rebuild_rollups
from npohub.orgs.models import Category, Status
from npohub.orgs.tests.factories import CommunityGroupFactory, OrganizationFactory, PersonFactory
from npohub.regions.tests.factories import jinan_tree

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "pass-Word-123"
ID_NUMBER = "370102196505054321"
PHONE = "13905310000"


@pytest.fixture
def city_data():
    Category.objects.get_or_create(code="volunteer", defaults={"name": "志愿服务"})
    r = jinan_tree()
    user = UserFactory(username="city_smoke", role=Role.CITY_BUREAU, region=r["jinan"])
    person = PersonFactory(name="李建国", id_number=ID_NUMBER, phone=PHONE)
    assoc = OrganizationFactory(
        name="历下区养老服务协会", community=r["c_jfq1"], legal_representative=person
    )
    OrganizationFactory(
        name="历下区养老服务中心",
        community=r["c_qfs1"],
        status=Status.DEREGISTERED,
        status_changed_on=dt.date(2023, 5, 1),
    )
    OrganizationFactory(name="章丘区文化艺术协会", community=r["c_ms_village"])
    CommunityGroupFactory.create_batch(3, community=r["c_jfq1"])
    CommunityGroupFactory.create_batch(2, community=r["c_ms_village"])
    rebuild_rollups()
    return {"user": user, "assoc": assoc}


def watch_errors(page) -> list[str]:
    """Script errors and failed requests (the browser's own favicon probe aside)."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"script: {exc}"))

    def on_response(response) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            errors.append(f"{response.status} {response.url}")

    page.on("response", on_response)
    return errors


def test_staff_and_public_pages_work_in_a_browser(live_server, browser, city_data, artifacts_dir):
    base = live_server.url
    staff = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = staff.new_page()
    errors = watch_errors(page)

    page.goto(base + reverse("accounts:login"))
    page.fill("input[name=username]", "city_smoke")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/login" not in page.url
    page.screenshot(path=str(artifacts_dir / "01-after-login.png"), full_page=True)

    page.goto(base + reverse("orgs:organization-list") + "?q=养老")
    page.get_by_role("link", name="历下区养老服务协会").first.wait_for()
    assert "章丘区文化艺术协会" not in page.content()
    page.screenshot(path=str(artifacts_dir / "02-orgs-search.png"), full_page=True)

    page.get_by_role("link", name="历下区养老服务协会").first.click()
    page.wait_for_url(f"**{reverse('orgs:organization-detail', args=[city_data['assoc'].pk])}")
    assert "历下区养老服务协会" in page.locator("h1").first.inner_text()
    page.screenshot(path=str(artifacts_dir / "03-org-detail.png"), full_page=True)

    page.goto(base + reverse("dashboards:region"))
    page.locator("#children-chart canvas").first.wait_for()
    assert "历下区" in page.locator("#children-table").inner_text()
    page.screenshot(path=str(artifacts_dir / "04-region-dashboard.png"), full_page=True)
    page.get_by_role("link", name="历下区").first.click()
    page.wait_for_url("**/dashboards/regions/370102000000/")
    assert "解放路街道" in page.locator("#children-table").inner_text()
    staff.close()

    public = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = public.new_page()
    errors += watch_errors(page)
    page.goto(base + reverse("portal:home"))
    assert "社会组织信息公开查询" in page.locator("h1").inner_text()
    page.fill("input[name=q]", "养老")
    page.click("form.portal-search button[type=submit]")
    page.wait_for_url("**q=*")
    page.locator("#portal-results").get_by_text("历下区养老服务中心").wait_for()
    assert "章丘区文化艺术协会" not in page.locator("#results").inner_text()
    page.screenshot(path=str(artifacts_dir / "05-portal-search.png"), full_page=True)

    page.get_by_role("link", name="历下区养老服务协会").click()
    page.wait_for_url("**/organizations/*/")
    html = page.content()
    assert "李建国" in html
    assert ID_NUMBER not in html and PHONE not in html
    page.screenshot(path=str(artifacts_dir / "06-portal-profile.png"), full_page=True)
    public.close()

    assert errors == []
