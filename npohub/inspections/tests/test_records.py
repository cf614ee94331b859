"""Inspection records, rectification, the credit detector, visibility and query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from npohub.core.errors import InvalidTransition, PermissionDenied
from npohub.core.models import AuditEvent
from npohub.credit.models import CreditFact
from npohub.credit.registry import detectors
from npohub.inspections import services
from npohub.inspections.models import CheckStatus, Finding, RectificationOrder
from npohub.inspections.selectors import check_list_for
from npohub.notifications.models import Notification
from npohub.orgs.tests.factories import grant

from .factories import drawn_plan, pool, population

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 2)


@pytest.fixture
def working(regions, cast):
    orgs = population(regions, 10)
    pool(regions, 3)
    actor = cast["district"]
    plan = drawn_plan(actor, regions, ratio="0.2")
    plan = services.plan_transition(actor=actor, plan=plan, transition="publish")
    check = plan.checks.order_by("number").first()
    grant(cast["org_user"], check.organization, "own")
    return plan, check, orgs


def test_an_overdue_rectification_becomes_one_credit_fact_and_verification_resolves_it(
    working, cast
):
    plan, check, _orgs = working
    actor = cast["district"]
    services.check_notify(
        actor=actor, check=check, scope_notice="年度报告、财务", today=TODAY - dt.timedelta(days=40)
    )
    finding = services.finding_add(
        actor=actor, check=check, type="finance", description="账目不清", legal_basis="条例第30条"
    )
    order = services.rectification_order_issue(
        actor=actor,
        check=check,
        requirement="规范账目",
        deadline=TODAY - dt.timedelta(days=1),
        finding=finding,
        today=TODAY - dt.timedelta(days=31),
    )
    check = services.check_conclude(
        actor=actor,
        check=check,
        checked_on=TODAY - dt.timedelta(days=30),
        conclusion="rectify",
        today=TODAY - dt.timedelta(days=30),
    )
    assert check.status == CheckStatus.CONCLUDED
    # The organisation is told the deadline in the one date format.
    due = TODAY - dt.timedelta(days=1)
    told = Notification.objects.filter(kind="inspections.rectification").first()
    assert told is not None
    assert told.title == f"整改通知：请于{due.year}年{due.month}月{due.day}日前完成整改"
    detect = dict(detectors())["rectification_overdue"]
    assert detect(TODAY, None) == 1
    assert detect(TODAY, None) == 1  # idempotent
    fact = CreditFact.objects.get(kind="rectification_overdue")
    assert fact.source_ref == f"inspection_rectification:{order.pk}"
    assert fact.organization_id == check.organization_id and fact.arose_on == TODAY
    assert CreditFact.objects.count() == 1
    services.rectification_report(
        actor=cast["org_user"], order=order, rectified_on=TODAY, today=TODAY
    )
    services.rectification_verify(actor=actor, order=order, verified_on=TODAY)
    fact.refresh_from_db()
    assert fact.resolved_on == TODAY
    assert detect(TODAY + dt.timedelta(days=5), None) == 0


def test_a_repeat_detection_over_recorded_orders_reads_two_queries(
    working, cast, django_assert_num_queries
):
    _plan, check, _orgs = working
    for n in range(3):
        services.rectification_order_issue(
            actor=cast["district"],
            check=check,
            requirement=f"整改事项{n}",
            deadline=TODAY - dt.timedelta(days=1),
            today=TODAY - dt.timedelta(days=31),
        )
    detect = dict(detectors())["rectification_overdue"]
    assert detect(TODAY, None) == 3
    with django_assert_num_queries(2):
        assert detect(TODAY, None) == 3
    assert CreditFact.objects.filter(kind="rectification_overdue").count() == 3


def test_a_rectification_not_yet_due_is_no_credit_fact(working, cast):
    _plan, check, _orgs = working
    services.rectification_order_issue(
        actor=cast["district"],
        check=check,
        requirement="补报年报",
        deadline=TODAY + dt.timedelta(days=10),
        today=TODAY,
    )
    assert dict(detectors())["rectification_overdue"](TODAY, None) == 0
    assert not CreditFact.objects.exists()


def test_a_conclusion_needs_the_notice_first_and_nothing_changes(working, cast):
    _plan, check, _orgs = working
    events = AuditEvent.objects.count()
    with pytest.raises(InvalidTransition, match="请先向组织送达检查告知，再作出检查结论"):
        services.check_conclude(
            actor=cast["district"],
            check=check,
            checked_on=TODAY,
            conclusion="no_problem",
            today=TODAY,
        )
    check.refresh_from_db()
    assert (
        check.status == CheckStatus.DRAWN
        and check.conclusion == ""
        and AuditEvent.objects.count() == events
    )


def test_the_organisation_is_notified_of_the_inspection_and_its_findings(working, cast):
    _plan, check, _orgs = working
    actor = cast["district"]
    services.check_notify(actor=actor, check=check, scope_notice="年度报告", today=TODAY)
    services.check_conclude(
        actor=actor, check=check, checked_on=TODAY, conclusion="no_problem", today=TODAY
    )
    kinds = list(
        Notification.objects.filter(recipient=cast["org_user"])
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["inspections.notice", "inspections.findings"]  # granted after publication


def test_an_inspector_sees_and_records_only_the_checks_assigned_to_them(working, cast):
    plan, check, _orgs = working
    mine = check.assignments.filter(is_active=True).first().user
    others = plan.checks.exclude(assignments__user=mine)
    assert set(check_list_for(mine)) == set(
        plan.checks.filter(assignments__user=mine, assignments__is_active=True)
    )
    other = others.first()
    if other is not None:
        with pytest.raises(PermissionDenied):
            services.finding_add(actor=mine, check=other, type="other", description="越权")
        assert not Finding.objects.exists()
    services.finding_add(actor=mine, check=check, type="other", description="本人记录")
    assert Finding.objects.count() == 1


def test_an_outsider_may_not_report_or_verify_a_rectification(working, cast):
    _plan, check, _orgs = working
    order = services.rectification_order_issue(
        actor=cast["district"],
        check=check,
        requirement="整改",
        deadline=TODAY + dt.timedelta(days=3),
        today=TODAY,
    )
    for user in ("org_user_out", "district_out", "resident"):
        with pytest.raises(PermissionDenied):
            services.rectification_report(
                actor=cast[user], order=order, rectified_on=TODAY, today=TODAY
            )
    order.refresh_from_db()
    assert order.rectified_on is None


def test_replacing_a_withdrawn_inspector_draws_the_next_without_conflict(working, cast):
    _plan, check, _orgs = working
    leaving = check.assignments.filter(is_active=True).first()
    new = services.check_replace_inspector(
        actor=cast["district"], check=check, user_id=leaving.user_id, reason="亲属在该组织任职"
    )
    active = set(check.assignments.filter(is_active=True).values_list("user_id", flat=True))
    assert leaving.user_id not in active and new.user_id in active and len(active) == 2
    assert check.log.filter(kind="inspector_withdrawn", user_id=leaving.user_id).exists()
    assert services.plan_verify(check.plan, seed_hex=check.plan.seed_hex).ok


def test_the_plan_page_and_public_results_have_bounded_queries(
    working, cast, client, django_assert_max_num_queries
):
    plan, _check, _orgs = working
    client.force_login(cast["district"])
    with django_assert_max_num_queries(25):
        response = client.get(reverse("inspections:plan-detail", args=[plan.pk]))
    assert response.status_code == 200
    client.logout()
    with django_assert_max_num_queries(20):
        response = client.get(reverse("portal:inspection-plan", args=[plan.pk]))
    assert response.status_code == 200
    assert "一致：种子的SHA-256与抽取前公布的哈希相符" in response.content.decode()
    with django_assert_max_num_queries(10):
        assert client.get(reverse("portal:inspection-plan-list")).status_code == 200
    assert RectificationOrder.objects.count() == 0
