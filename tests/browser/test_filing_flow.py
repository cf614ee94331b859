"""Filing of community groups (备案) walked through the pages in a real browser.

A resident files a group; its community checks it first and its street decides; the filed group
is in the registry and on the public portal. Then the same with the street's federation (街道社会
组织联合会) deciding under the street's delegation: the decision is recorded "on behalf of" the
street. Set-up (regions, users, the federation and its delegation) is made directly; every step
of the walk is clicks and form fills. Screenshots go to test-artifacts/filing-*.png.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.urls import reverse
from django.utils import timezone

from npohub.accounts.models import Role
from npohub.accounts.tests.factories import UserFactory
from npohub.core.models import AuditEvent
from npohub.orgs.models import Category, Kind, Organization, Status
from npohub.orgs.tests.factories import OrganizationFactory, grant
from npohub.regions.tests.factories import jinan_tree
from npohub.registration.models import Application, FilingDelegation
from npohub.registration.tests.factories import app_history

from .test_registration_flow import Walk, choose, move, pick_region

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def world():
    r = jinan_tree()
    Category.objects.get_or_create(
        code="culture_sports", defaults={"name": "文化体育", "is_direct_registration": False}
    )
    users = {
        "resident": UserFactory(username="groupfounder", role=Role.RESIDENT),
        "community": UserFactory(
            username="jfq_community", role=Role.COMMUNITY_WORKER, region=r["c_jfq1"]
        ),
        "street": UserFactory(
            username="jfq_street", role=Role.STREET_OFFICER, region=r["jiefangqiao"]
        ),
        "qfs_community": UserFactory(
            username="qfs_community", role=Role.COMMUNITY_WORKER, region=r["c_qfs1"]
        ),
        "qfs_street": UserFactory(
            username="qfs_street", role=Role.STREET_OFFICER, region=r["qianfoshan"]
        ),
        "federation": UserFactory(
            username="qfs_federation", role=Role.HUB_STAFF, region=r["lixia"]
        ),
    }
    federation = OrganizationFactory(
        name="千佛山街道社会组织联合会", community=r["c_qfs1"], authority_region=r["lixia"]
    )
    grant(users["federation"], federation, "own")
    FilingDelegation.objects.create(
        street=r["qianfoshan"],
        federation=federation,
        valid_from=timezone.localdate() - dt.timedelta(days=30),
        created_by=users["qfs_street"],
    )
    return {"regions": r, "users": users, "federation": federation}


def file_group(walk: Walk, page, *, name: str, community_search: str, community: str) -> str:
    """The founder starts a filing, fills it, saves the draft and submits; returns its URL."""
    page.goto(walk.base + reverse("registration:application-list"))
    page.get_by_role("link", name="新的申请").first.click()
    page.get_by_role("link", name="社区社会组织备案").click()
    page.wait_for_url("**kind=filing**")
    form = page.locator("#application-form")
    form.locator("[name=name]").fill(name)
    choose(page, "#id_category_code", "culture_sports")
    pick_region(page, "community_code", community_search, community)
    form = page.locator("#application-form")
    for field, value in (
        ("address", "社区党群服务中心二楼活动室"),
        ("legal_representative_name", "刘秀英"),
        ("legal_representative_phone", "13905310001"),
        ("members", "25"),
        ("purpose", "组织社区居民开展广场舞健身活动"),
        ("activity_area", "本社区"),
    ):
        form.locator(f"[name={field}]").fill(value)
    walk.shot(page, "form")
    with page.expect_navigation():
        form.get_by_role("button", name="保存草稿").click()
    page.wait_for_url("**/registration/applications/*/")
    url = page.url
    move(page, "提交备案")
    assert "已提交待受理" in page.locator("h1").inner_text()
    return url


def open_from_list(page, base: str, name: str, url: str) -> None:
    page.goto(base + reverse("registration:application-list"))
    page.locator("table").get_by_role("link", name=name).first.click()
    page.wait_for_url(url)


def test_a_community_group_is_filed_by_its_community_and_street(
    live_server, browser, world, artifacts_dir
):
    base = live_server.url
    walk = Walk(browser, base, artifacts_dir, prefix="filing")
    name = "解放桥社区广场舞队"
    try:
        founder = walk.login("groupfounder")
        url = file_group(
            walk, founder, name=name, community_search="解放桥", community="解放桥社区居民委员会"
        )
        app = Application.objects.get(name=name)
        assert app.kind == "filing" and app.state == "submitted"
        assert app.address_code == "370102001002"
        walk.shot(founder, "submitted")

        # The street cannot decide before the community's first check.
        street = walk.login("jfq_street")
        open_from_list(street, base, name, url)
        assert street.locator("#actions").get_by_role("button", name="准予备案").count() == 0

        community = walk.login("jfq_community")
        open_from_list(community, base, name, url)
        walk.shot(community, "community-check")
        move(community, "社区初审通过")
        app.refresh_from_db()
        assert app.state == "community_checked"
        assert "社区初审通过" in community.locator("h1").inner_text()

        street.reload()
        walk.shot(street, "street-decides")
        move(street, "准予备案")
        app.refresh_from_db()
        assert app.state == "filed"
        assert "已备案" in street.locator("h1").inner_text()
        walk.shot(street, "filed")
        group = Organization.objects.get(name=name)
        assert group.kind == Kind.COMMUNITY_GROUP and group.status == Status.ACTIVE
        assert group.address_code == "370102001002"

        # In the registry for the street, and on the public portal for anyone.
        street.goto(base + reverse("orgs:organization-list") + "?q=广场舞")
        street.get_by_role("link", name=name).first.click()
        street.wait_for_url(f"**{reverse('orgs:organization-detail', args=[group.pk])}")
        assert street.get_by_role("link", name="下载登记证书").count() == 0  # filed, no certificate
        walk.shot(street, "registry")

        public = walk.anonymous()
        public.goto(base + reverse("portal:home"))
        public.fill("input[name=q]", "广场舞")
        public.click("form.portal-search button[type=submit]")
        public.wait_for_url("**q=*")
        public.locator("#portal-results").get_by_text(name).first.wait_for()
        walk.shot(public, "portal")
    finally:
        walk.close()
    assert walk.errors == []


def test_a_street_federation_files_a_group_on_behalf_of_its_street(
    live_server, browser, world, artifacts_dir
):
    base = live_server.url
    walk = Walk(browser, base, artifacts_dir, prefix="filing-delegated")
    name = "千佛山社区书法兴趣小组"
    try:
        founder = walk.login("groupfounder")
        url = file_group(
            walk,
            founder,
            name=name,
            community_search="千佛山社区",
            community="千佛山社区居民委员会",
        )
        app = Application.objects.get(name=name)

        community = walk.login("qfs_community")
        open_from_list(community, base, name, url)
        move(community, "社区初审通过")

        # The federation sees the group's filing in its list and decides for the street.
        federation = walk.login("qfs_federation")
        open_from_list(federation, base, name, url)
        note = federation.locator("#actions .help").first.inner_text()
        assert "千佛山街道（委托千佛山街道社会组织联合会办理）" in note
        walk.shot(federation, "federation-decides")
        move(federation, "准予备案")
        app.refresh_from_db()
        assert app.state == "filed"
        last = app_history(app).order_by("-occurred_at", "-id").first()
        assert last.on_behalf_of == "千佛山街道（委托千佛山街道社会组织联合会办理）"
        history = federation.locator("section.card", has_text="办理记录").inner_text()
        assert "委托千佛山街道社会组织联合会办理" in history
        walk.shot(federation, "filed-on-behalf")
        event = AuditEvent.objects.filter(kind__startswith="registration.").order_by("-id").first()
        assert event is not None and event.on_behalf_of == last.on_behalf_of

        group = Organization.objects.get(name=name)
        assert group.kind == Kind.COMMUNITY_GROUP and group.status == Status.ACTIVE
        public = walk.anonymous()
        public.goto(base + reverse("portal:home"))
        public.fill("input[name=q]", "书法兴趣")
        public.click("form.portal-search button[type=submit]")
        public.wait_for_url("**q=*")
        public.locator("#portal-results").get_by_text(name).first.wait_for()
        walk.shot(public, "portal")
    finally:
        walk.close()
    assert walk.errors == []
