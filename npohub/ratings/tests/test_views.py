"""Pages: eligibility reasons on the round, the expert's scoring screen, the public list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from npohub.core.errors import PermissionDenied
from npohub.ratings import services
from npohub.ratings.models import Application, Grade, Score
from npohub.supervision.models import AnnualReport

from .factories import advance, clean_org, expert, make_round, round_in_scoring

pytestmark = pytest.mark.django_db


def test_the_round_page_shows_each_eligibility_reason(client, cast, regions):
    org = clean_org(regions, name="历下区年检不合格协会")
    AnnualReport.objects.filter(organization=org, year=2024).update(conclusion="fail")
    round = make_round(cast["district"], regions)
    round = advance(cast["district"], round, "open_applications", today=dt.date(2025, 8, 1))
    client.force_login(cast["district"])
    client.post(reverse("ratings:application-create", args=[round.pk]), {"organization": org.pk})
    client.post(reverse("ratings:round-transition", args=[round.pk, "close_applications"]))
    page = client.get(reverse("ratings:round-detail", args=[round.pk])).content.decode()
    reasons = Application.objects.get(organization=org).eligibility_reasons
    assert reasons
    assert "不符合参评条件" in page
    for reason in reasons:
        assert reason["message"] in page


def test_the_expert_saves_a_draft_from_the_scoring_screen(client, cast, regions):
    org = clean_org(regions)
    pool = [expert(regions, f"e{i}") for i in range(3)]
    _round, [app] = round_in_scoring(cast["district"], regions, [org], pool)
    task = app.assignments.get(expert=pool[0])
    client.force_login(pool[0].user)
    url = reverse("ratings:assignment-score", args=[task.pk])
    page = client.get(url).content.decode()
    assert page.count('class="score-input"') == 15
    leaf = app.round.indicators.get(kind="association", code="1.1")
    response = client.post(url, {f"points_{leaf.pk}": "28", "action": "save"})
    assert response.status_code == 302
    assert Score.objects.get(assignment=task).points == 28
    bad = client.post(url, {f"points_{leaf.pk}": "31", "action": "save"}).content.decode()
    assert "1.1的得分应在0至30分之间" in bad
    assert Score.objects.get(assignment=task).points == 28


def test_the_public_list_shows_valid_grades_with_their_dates(client, regions):
    org = clean_org(regions, name="历下区五星志愿服务协会")
    Grade.objects.create(
        organization=org,
        level="4A",
        awarded_on=dt.date(2024, 11, 20),
        valid_until=dt.date(2099, 11, 19),
    )
    page = client.get(reverse("portal:ratings-grades")).content.decode()
    assert "历下区五星志愿服务协会" in page
    assert "2099年11月19日" in page  # the one date format (cn_date)


def test_the_public_list_shows_the_highest_grades_first(client, regions):
    for name, level in (
        ("历下区一级协会", "1A"),
        ("历下区五级协会", "5A"),
        ("历下区三级协会", "3A"),
    ):
        Grade.objects.create(
            organization=clean_org(regions, name=name),
            level=level,
            awarded_on=dt.date(2024, 11, 20),
            valid_until=dt.date(2099, 11, 19),
        )
    page = client.get(reverse("portal:ratings-grades")).content.decode()

    positions = [
        page.index(name) for name in ("历下区五级协会", "历下区三级协会", "历下区一级协会")
    ]
    assert positions == sorted(positions)


def _history_block(page: str) -> str:
    return page.split('id="round-history"', 1)[1].split("</section>", 1)[0]


def test_a_round_move_is_named_in_words_in_the_message_and_the_history(client, cast, regions):
    round = make_round(cast["district"], regions)
    client.force_login(cast["district"])
    url = reverse("ratings:round-transition", args=[round.pk, "open_applications"])
    page = client.post(url, {"note": "按计划启动"}, follow=True).content.decode()
    assert "已完成：开始受理申报" in page
    history = _history_block(page)
    for words in ("开始受理申报", "筹备（编制指标）", "受理申报", "按计划启动"):
        assert words in history
    for code in ("open_applications", "applications", "open"):
        assert code not in history
    client.cookies["django_language"] = "en"
    english = _history_block(
        client.get(reverse("ratings:round-detail", args=[round.pk])).content.decode()
    )
    assert "open_applications" not in english and "开始受理申报" not in english


def test_the_round_api_gives_each_move_and_history_row_with_its_label(client, cast, regions):
    round = make_round(cast["district"], regions)
    advance(cast["district"], round, "open_applications")
    client.force_login(cast["district"])
    body = client.get(f"/api/v1/ratings/rounds/{round.pk}").json()
    assert body["moves"] == [{"name": "close_applications", "label": "截止申报并审查资格"}]
    [row] = body["history"]
    assert (row["move"], row["move_label"]) == ("open_applications", "开始受理申报")
    assert (row["from_state"], row["from_label"], row["to_state"], row["to_label"]) == (
        "open",
        "筹备（编制指标）",
        "applications",
        "受理申报",
    )
    assert row["actor"] == str(cast["district"])


def test_a_move_another_bureau_tries_is_refused_and_changes_nothing(cast, regions):
    round = make_round(cast["district"], regions)
    with pytest.raises(PermissionDenied) as refused:
        services.round_transition(
            actor=cast["district_out"], round=round, transition="open_applications"
        )
    assert refused.value.message == "只有组织本轮评估的民政部门可以执行此操作"
    round.refresh_from_db()
    assert round.state == "open"
    assert not services.round_history(round)
