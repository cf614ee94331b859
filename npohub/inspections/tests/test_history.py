"""Plans and checks keep their history in the one history, shown in words on the pages and in
the API; the draw log names its reasons in words."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from npohub.core.errors import PermissionDenied
from npohub.inspections import services
from npohub.inspections.models import CheckStatus, DrawLog, LogKind
from npohub.inspections.workflows import PlanState

from .factories import district_plan, drawn_plan, pool, population

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 2)


def _block(page: str, anchor: str) -> str:
    return page.split(f'id="{anchor}"', 1)[1].split("</section>", 1)[0]


def test_a_plans_moves_are_its_history_in_words_on_the_page_and_in_the_api(client, regions, cast):
    population(regions, 10)
    pool(regions, 3)
    actor = cast["district"]
    plan = drawn_plan(actor, regions, ratio="0.2")
    plan = services.plan_transition(actor=actor, plan=plan, transition="publish")
    client.force_login(actor)
    page = client.get(reverse("inspections:plan-detail", args=[plan.pk])).content.decode()
    history = _block(page, "plan-history")
    for words in (
        "生成并承诺随机种子",
        "抽取检查对象和检查人员",
        "公开随机种子和抽查名单",
        "已公开种子",
    ):
        assert words in history
    for code in ("commit", "draw", "publish", "committed", "published"):
        assert code not in history
    body = client.get(f"/api/v1/inspections/plans/{plan.pk}").json()
    assert [h["move"] for h in body["history"]] == ["commit", "draw", "publish"]
    assert body["history"][-1]["to_label"] == "已公开种子"
    assert body["moves"] == [{"name": "start", "label": "开始检查"}]


def test_the_transition_message_names_the_state_the_plan_reached(client, regions, cast):
    plan = district_plan(cast["district"], regions)
    client.force_login(cast["district"])
    url = reverse("inspections:plan-transition", args=[plan.pk])
    page = client.post(url, {"transition": "commit"}, follow=True).content.decode()
    assert "计划状态：已承诺随机种子" in page


def test_a_move_by_another_districts_bureau_is_refused_and_records_nothing(regions, cast):
    plan = district_plan(cast["district"], regions)
    with pytest.raises(PermissionDenied, match="只有该区划的登记管理机关可以制定和抽取抽查计划"):
        services.plan_transition(actor=cast["district_out"], plan=plan, transition="commit")
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT and plan.seed_hash == ""
    assert services.plan_history(plan) == []


def test_a_checks_notice_and_conclusion_are_its_history_in_words(client, regions, cast):
    population(regions, 10)
    pool(regions, 3)
    actor = cast["district"]
    plan = drawn_plan(actor, regions, ratio="0.2")
    plan = services.plan_transition(actor=actor, plan=plan, transition="publish")
    check = plan.checks.order_by("number").first()
    services.check_notify(actor=actor, check=check, scope_notice="年度报告、财务", today=TODAY)
    services.check_conclude(
        actor=actor, check=check, checked_on=TODAY, conclusion="no_problem", today=TODAY
    )
    rows = services.check_history(check)
    assert [(r.move_label, r.from_label, r.to_label) for r in rows] == [
        ("送达检查告知", "已抽中", "已告知"),
        ("作出检查结论", "已告知", "已出结论"),
    ]
    assert rows[0].note == "年度报告、财务"
    client.force_login(actor)
    page = client.get(reverse("inspections:check-detail", args=[check.pk])).content.decode()
    history = _block(page, "check-history")
    assert "作出检查结论" in history and "conclude" not in history and "notified" not in history
    body = client.get(f"/api/v1/inspections/checks/{check.pk}").json()
    assert (body["status"], body["status_label"]) == (CheckStatus.CONCLUDED, "已出结论")
    assert [h["move_label"] for h in body["history"]] == ["送达检查告知", "作出检查结论"]


def test_a_check_cannot_be_worked_before_the_plan_is_published_and_nothing_changes(regions, cast):
    population(regions, 10)
    pool(regions, 3)
    plan = drawn_plan(cast["district"], regions, ratio="0.2")
    check = plan.checks.order_by("number").first()
    with pytest.raises(PermissionDenied, match="抽查计划未处于检查阶段"):
        services.check_notify(actor=cast["district"], check=check, scope_notice="年报", today=TODAY)
    check.refresh_from_db()
    assert check.status == CheckStatus.DRAWN and check.scope_notice == ""
    assert services.check_history(check) == []


def test_the_draw_log_names_why_an_inspector_was_left_out_in_words(client, regions, cast):
    plan = district_plan(cast["district"], regions)
    plan = services.plan_transition(actor=cast["district"], plan=plan, transition="commit")
    DrawLog.objects.create(
        plan=plan, sequence=99, kind=LogKind.EXCLUDED, reason="declared", message="张三已申报回避"
    )
    client.force_login(cast["district"])
    page = client.get(reverse("inspections:plan-detail", args=[plan.pk])).content.decode()
    assert "<td>已申报回避</td>" in page
    assert "<td>declared</td>" not in page
    log = client.get(f"/api/v1/inspections/plans/{plan.pk}/log").json()
    declared = next(row for row in log if row["reason"] == "declared")
    assert (declared["reason_label"], declared["kind_label"]) == ("已申报回避", "检查人员回避")
