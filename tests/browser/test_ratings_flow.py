"""An expert scores in a real browser and the bureau publishes the results.

Set-up through the services (regions, users, three eligible associations, a round in the
scoring stage, two of three experts already submitted). In the browser: the expert opens the
scoring task, moves through the indicators with Tab typing each score (the total updates as they
type), saves a draft, comes back and submits; the bureau closes scoring, sees the outlier
flagged in the committee view, settles each result, publishes them for comment, closes the
comment period and finalises; the public grade list shows the grade with its validity dates.
Screenshots go to test-artifacts/ratings-*.png.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from npohub.accounts.models import Role
from npohub.accounts.tests.factories import UserFactory
from npohub.core.templatetags.npohub import cn_date
from npohub.orgs.tests.factories import OrganizationFactory
from npohub.ratings import selectors, services
from npohub.ratings.models import Application, Expert, Grade
from npohub.regions.tests.factories import jinan_tree
from npohub.supervision.models import AnnualReport

from .test_registration_flow import Walk

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _org(r, name: str):
    org = OrganizationFactory(
        name=name,
        community=r["c_jfq1"],
        authority_region=r["lixia"],
        registration_date=dt.date(2018, 3, 1),
    )
    year = timezone.localdate().year
    for y in (year - 2, year - 1):
        AnnualReport.objects.create(
            organization=org,
            year=y,
            org_kind=org.kind,
            address_code=org.address_code,
            bureau_deadline=dt.date(y + 1, 5, 31),
            bureau_received_on=dt.date(y + 1, 4, 1),
            state="concluded",
            conclusion="pass",
            concluded_on=dt.date(y + 1, 5, 1),
        )
    return org


def _score(task, share: str) -> None:
    app = task.application
    entries = [
        services.ScoreEntry(
            indicator_id=leaf.pk,
            points=(Decimal(leaf.max_points) * Decimal(share)).quantize(Decimal("0.1")),
        )
        for leaf in selectors.leaves_of(app.round, app.organization.kind)
    ]
    services.scores_save(actor=task.expert.user, assignment=task, entries=entries)
    services.assignment_submit(actor=task.expert.user, assignment=task)


@pytest.fixture
def world():
    r = jinan_tree()
    bureau = UserFactory(username="bureau", role=Role.DISTRICT_BUREAU, region=r["lixia"])
    experts = [
        Expert.objects.create(
            user=UserFactory(
                username=name, display_name=label, role=Role.EXPERT, region=r["jinan"]
            ),
            region=r["jinan"],
        )
        for name, label in (("expert_a", "甲专家"), ("expert_b", "乙专家"), ("expert_c", "丙专家"))
    ]
    org = _org(r, "历下区社区养老服务协会")
    round = services.round_create(
        actor=bureau,
        name="历下区社会组织等级评估",
        year=2026,
        region=r["lixia"],
        kinds=["association"],
    )
    round = services.round_transition(actor=bureau, round=round, transition="open_applications")
    services.application_submit(actor=bureau, round=round, organization=org)
    round = services.round_transition(actor=bureau, round=round, transition="close_applications")
    app = Application.objects.get(round=round)
    assert app.state == "eligible", app.eligibility_reasons
    for e in experts:
        services.panel_assign(actor=bureau, application=app, expert=e)
    round = services.round_transition(actor=bureau, round=round, transition="start_scoring")
    app = Application.objects.get(pk=app.pk)
    for e, share in ((experts[1], "0.91"), (experts[2], "0.6")):
        _score(app.assignments.select_related("expert__user").get(expert=e), share)
    return {"round": round, "app": app, "org": org, "experts": experts}


def test_an_expert_scores_and_the_bureau_publishes(live_server, browser, world, artifacts_dir):
    walk = Walk(browser, live_server.url, artifacts_dir, prefix="ratings")
    try:
        # The expert: one screen, Tab from score to comment to evidence to the next score.
        page = walk.login("expert_a")
        page.goto(live_server.url + reverse("ratings:assignment-list"))
        page.click("text=历下区社区养老服务协会")
        inputs = page.locator(".score-input")
        count = inputs.count()
        assert count == 15
        maxes = [int(inputs.nth(i).get_attribute("max")) for i in range(count)]
        inputs.nth(0).focus()
        typed = Decimal(0)
        for i, top in enumerate(maxes):
            value = (Decimal(top) * Decimal("0.9")).quantize(Decimal("0.1"))
            typed += value
            page.keyboard.type(str(value))
            if i == 0:
                page.keyboard.press("Tab")
                page.keyboard.type("证照齐全，年检合格")
                page.keyboard.press("Tab")
                page.keyboard.type("/supervision/")
                page.keyboard.press("Tab")
            else:
                page.keyboard.press("Tab")
                page.keyboard.press("Tab")
                page.keyboard.press("Tab")
            if i == 6:
                # Half way: save a draft and come back to the same inputs.
                assert page.locator("#score-total").inner_text() == f"{typed:.1f}"
                walk.shot(page, "draft")
                page.click("button[value=save]")
                page.wait_for_load_state()
                assert "草稿已保存" in page.content()
                page.locator(".score-input").nth(i + 1).focus()
        assert page.locator("#score-total").inner_text() == f"{typed:.1f}"
        walk.shot(page, "scored")
        page.click("button[value=submit]")
        page.wait_for_load_state()
        assert "评分已提交" in page.content()

        # The bureau: close scoring, see the outlier, settle, publish, finalise.
        staff = walk.login("bureau")
        round_url = live_server.url + reverse("ratings:round-detail", args=[world["round"].pk])
        staff.goto(round_url)
        staff.click("button:has-text('结束评分，提交评估委员会')")
        staff.wait_for_load_state()
        assert staff.locator("#round-state").inner_text() == "评估委员会审定"
        staff.click("a:has-text('委员会审定')")
        staff.wait_for_load_state()
        assert staff.locator("tr.outlier").count() == 1
        assert "丙专家" in staff.locator("tr.outlier").inner_text()
        walk.shot(staff, "committee")
        staff.click("button:has-text('审定')")
        staff.wait_for_load_state()
        staff.goto(round_url)
        staff.click("button:has-text('公示评估结果')")
        staff.wait_for_load_state()
        assert staff.locator("#round-state").inner_text() == "结果公示"
        staff.click("button:has-text('公示期满，复核异议')")
        staff.wait_for_load_state()
        staff.click("button:has-text('公告并授予等级')")
        staff.wait_for_load_state()
        assert staff.locator("#round-state").inner_text() == "已公告"
        walk.shot(staff, "final")

        grade = Grade.objects.get(organization=world["org"])
        # 甲 900.0 and 乙 910.0 count; 丙's 600.0 is the outlier left out of the mean.
        assert (grade.level, grade.total) == ("5A", Decimal("905.0"))

        public = walk.anonymous()
        public.goto(live_server.url + reverse("portal:ratings-grades"))
        row = public.locator("tr", has_text="历下区社区养老服务协会")
        assert "5A" in row.inner_text()
        assert cn_date(grade.valid_until) in row.inner_text()  # the one date format
        walk.shot(public, "public")
        assert not walk.errors, walk.errors
    finally:
        walk.close()
