"""Objections and grades on the one workflow engine: every move is a row of their table, made by
``core.workflows.run_move``, with its history (``core.WorkflowEvent``) shown as labels on the
page and in the API; two concurrent moves on one record leave one move (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from npohub.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from npohub.core.models import WorkflowEvent
from npohub.core.testing import postgres_only, race
from npohub.notifications.models import Notification
from npohub.orgs.tests.factories import grant
from npohub.ratings import services
from npohub.ratings.models import Application, Grade, Objection, Round

from .factories import ON, clean_org, make_round

pytestmark = pytest.mark.django_db


def _published(cast: dict[str, Any], regions: dict[str, Any]) -> Application:
    """An application whose result (3A, 760 points) is in its round's comment period."""
    round = make_round(cast["district"], regions)
    Round.objects.filter(pk=round.pk).update(
        state="publication", comment_from=ON, comment_until=ON + dt.timedelta(days=7)
    )
    org = clean_org(regions, name="历下区养老互助协会")
    grant(cast["org_user"], org, "own")
    return Application.objects.create(
        round=Round.objects.get(pk=round.pk),
        organization=org,
        applied_on=ON,
        state="finalised",
        final_total=Decimal("760.0"),
        level="3A",
        created_by=cast["district"],
    )


def _objection(cast: dict[str, Any], regions: dict[str, Any]) -> Objection:
    app = _published(cast, regions)
    return services.objection_file(
        actor=cast["org_user"], application=app, reasons="社会评价得分未计入表彰", today=ON
    )


def _grade(org: Any, level: str = "4A") -> Grade:
    return Grade.objects.create(
        organization=org,
        level=level,
        awarded_on=dt.date(2021, 1, 10),
        valid_until=dt.date(2026, 1, 9),
    )


def _events(key: str, pk: int) -> list[tuple[str, str, str]]:
    return list(
        WorkflowEvent.objects.filter(workflow=key, object_id=pk)
        .order_by("occurred_at", "pk")
        .values_list("move", "from_state", "to_state")
    )


# --- objections --------------------------------------------------------------------------------


def test_an_objection_s_filing_and_decision_are_its_history_in_chinese(cast, regions):
    objection = _objection(cast, regions)
    services.objection_decide(
        actor=cast["district"],
        objection=objection,
        upheld=True,
        decision="经复核，社会评价加20分。",
        votes_for=5,
        votes_against=2,
        new_total="812.0",
        today=ON,
    )
    objection.refresh_from_db()
    assert (objection.state, objection.new_level, objection.decided_on) == ("upheld", "4A", ON)
    assert _events("ratings.objection", objection.pk) == [
        ("file", "", "filed"),
        ("uphold", "filed", "upheld"),
    ]
    rows = services.objection_history(objection)
    assert [(r.move_label, r.to_label) for r in rows] == [
        ("提出异议", "待复核"),
        ("认定异议成立", "异议成立"),
    ]
    assert rows[1].note == "经复核，社会评价加20分。"
    assert rows[1].actor_id == cast["district"].pk


def test_a_decided_objection_cannot_be_decided_again_and_nothing_changes(cast, regions):
    objection = _objection(cast, regions)
    services.objection_decide(
        actor=cast["district"],
        objection=objection,
        upheld=False,
        decision="理由不成立",
        votes_for=1,
        votes_against=6,
    )
    objection.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.objection_decide(
            actor=cast["district"],
            objection=objection,
            upheld=True,
            decision="改判",
            votes_for=7,
            votes_against=0,
        )
    objection.refresh_from_db()
    assert objection.state == "rejected"
    assert len(_events("ratings.objection", objection.pk)) == 2


def test_a_bureau_not_running_the_round_cannot_decide_and_nothing_changes(cast, regions):
    objection = _objection(cast, regions)
    with pytest.raises(PermissionDenied):
        services.objection_decide(
            actor=cast["district_out"],
            objection=objection,
            upheld=False,
            decision="不成立",
            votes_for=0,
            votes_against=5,
        )
    objection.refresh_from_db()
    assert objection.state == "filed"
    assert len(_events("ratings.objection", objection.pk)) == 1


def test_a_decision_without_its_written_reasons_is_refused_naming_the_field(cast, regions):
    objection = _objection(cast, regions)
    with pytest.raises(ValidationFailed) as refused:
        services.objection_decide(
            actor=cast["district"],
            objection=objection,
            upheld=False,
            decision="  ",
            votes_for=0,
            votes_against=5,
        )
    assert "decision" in refused.value.details
    objection.refresh_from_db()
    assert objection.state == "filed"


def test_a_closed_comment_period_is_named_with_the_one_date_format(cast, regions):
    app = _published(cast, regions)
    with pytest.raises(Exception) as refused:
        services.objection_file(
            actor=cast["org_user"], application=app, reasons="不服", today=ON + dt.timedelta(days=8)
        )
    assert str(refused.value.message) == "公示期已于2025年9月8日结束"


def test_the_application_page_and_the_api_show_the_objection_history_as_labels(
    client, cast, regions
):
    objection = _objection(cast, regions)
    client.force_login(cast["district"])
    page = client.get(reverse("ratings:application-detail", args=[objection.application_id]))
    text = page.content.decode()
    assert "提出异议" in text and "待复核" in text
    assert ">file<" not in text and ">filed<" not in text
    response = client.post(
        f"/api/v1/ratings/objections/{objection.pk}/decision",
        {"upheld": False, "decision": "不成立", "votes_for": 0, "votes_against": 5},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    history = response.json()["history"]
    assert [(h["move"], h["move_label"], h["to_label"]) for h in history] == [
        ("file", "提出异议", "待复核"),
        ("reject", "认定异议不成立", "异议不成立"),
    ]


# --- grades ------------------------------------------------------------------------------------


def test_a_manual_downgrade_is_a_move_of_the_old_grade_and_the_award_of_the_new(cast, regions):
    org = clean_org(regions)
    grant(cast["org_user"], org, "own")
    grade = _grade(org, "4A")
    new = services.grade_downgrade(actor=cast["district"], grade=grade, reason="受到警告", on=ON)
    assert new is not None and new.level == "3A"
    assert _events("ratings.grade", grade.pk) == [("downgrade", "valid", "downgraded")]
    assert _events("ratings.grade", new.pk) == [("reissue_lower", "", "valid")]
    [row] = services.grade_history(grade)
    assert (row.move_label, row.to_label, row.note) == ("降级", "已降级", "受到警告")
    # The organisation is told the return date in the one date format.
    title = Notification.objects.get(kind="ratings.grade_changed").title
    assert title == "评估等级由4A降为3A，请于2025年9月16日前交回原证书和牌匾"


def test_a_lapse_by_the_daily_review_is_the_system_s_move(cast, regions):
    grade = _grade(clean_org(regions))
    services.grades_review(on=dt.date(2026, 1, 10), actor=cast["district"])
    grade.refresh_from_db()
    assert (grade.state, grade.ended_on) == ("expired", dt.date(2026, 1, 10))
    [row] = services.grade_history(grade)
    assert (row.move, row.move_label, row.actor_display) == ("lapse", "有效期届满", "系统")


def test_a_downgraded_grade_cannot_be_downgraded_again(cast, regions):
    grade = _grade(clean_org(regions), "4A")
    services.grade_downgrade(actor=cast["district"], grade=grade, reason="受到警告", on=ON)
    grade.refresh_from_db()
    with pytest.raises(Exception) as refused:
        services.grade_downgrade(actor=cast["district"], grade=grade, reason="再次", on=ON)
    assert getattr(refused.value, "code", "") == "ratings.grade_not_valid"
    assert Grade.objects.filter(organization=grade.organization).count() == 2


def test_the_grade_list_page_and_the_api_show_each_grade_s_history(client, cast, regions):
    grade = _grade(clean_org(regions), "4A")
    services.grade_downgrade(actor=cast["district"], grade=grade, reason="受到警告", on=ON)
    client.force_login(cast["district"])
    text = client.get(reverse("ratings:grade-list")).content.decode()
    assert "降级后核定等级" in text and "已降级" in text
    assert "reissue_lower" not in text and ">downgrade<" not in text
    listed = client.get("/api/v1/ratings/grades").json()["results"]
    moves = {g["id"]: [h["move_label"] for h in g["history"]] for g in listed}
    assert moves[grade.pk] == ["降级"]


# --- two at once (PostgreSQL) ------------------------------------------------------------------


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_decisions_on_one_objection_leave_exactly_one_move(cast, regions):
    objection = _objection(cast, regions)

    def decide(upheld: bool) -> Any:
        return services.objection_decide(
            actor=cast["district"],
            objection=Objection.objects.get(pk=objection.pk),
            upheld=upheld,
            decision="复核决定",
            votes_for=5 if upheld else 0,
            votes_against=0 if upheld else 5,
        )

    outcome = race(lambda: decide(True), lambda: decide(False))
    assert sum(isinstance(r, Objection) for r in outcome) == 1
    assert sum(isinstance(r, InvalidTransition) for r in outcome) == 1
    decisions = [m for m, _f, _t in _events("ratings.objection", objection.pk) if m != "file"]
    assert len(decisions) == 1


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_downgrades_through_the_page_leave_one_and_no_error_page(cast, regions):
    grade = _grade(clean_org(regions), "4A")
    url = reverse("ratings:grade-downgrade", args=[grade.pk])

    def post() -> tuple[int, list[str]]:
        client = Client()
        client.force_login(cast["district"])
        response = client.post(url, {"reason": "受到警告"})
        return response.status_code, [str(m) for m in get_messages(response.wsgi_request)]

    outcome = race(post, post)
    assert [status for status, _messages in outcome] == [302, 302]
    assert _events("ratings.grade", grade.pk) == [("downgrade", "valid", "downgraded")]
    assert Grade.objects.filter(organization=grade.organization, state="valid").count() == 1
