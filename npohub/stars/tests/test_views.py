"""Pages: bulk entry with htmx rows, an organisation's scorecards and appeal, stars, awards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from npohub.stars.models import InterviewTask, MonthlyScorecard, ScoreAppeal

from .factories import FULL, award_round, months_ago, rate, score

pytestmark = pytest.mark.django_db


def row_data(org, **points):
    values = {**FULL, **points}
    data = {f"o{org.pk}-item_{code}": value for code, value in values.items()}
    data[f"o{org.pk}-reason"] = "未开展活动" if points else ""
    data[f"o{org.pk}-evidence"] = "走访记录" if points else ""
    return data


def test_the_bulk_entry_table_lists_the_hubs_members_and_the_items(client, cast, world):
    client.force_login(cast["hub"])
    response = client.get(reverse("stars:scoring"), {"month": months_ago(1).strftime("%Y-%m")})
    assert response.status_code == 200
    html = response.content.decode()
    assert "历下区养老服务协会" in html
    assert "解放桥社区舞蹈队" in html
    assert "历下区书法协会" not in html
    for name in ("党建工作", "工作计划", "开展活动", "台账资料", "活动场所"):
        assert name in html


def test_saving_a_row_with_htmx_answers_the_row_with_its_total(client, cast, world):
    client.force_login(cast["hub"])
    org = world["assoc"]
    url = reverse("stars:scoring-save", args=[world["hub"].pk, org.pk])
    response = client.post(
        f"{url}?month={months_ago(1):%Y-%m}", row_data(org, activities="1"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith(f'<tr id="row-{org.pk}">')
    card = MonthlyScorecard.objects.get()
    assert card.total == Decimal("8.5")
    assert card.lines.get(item__code="activities").reason == "未开展活动"


def test_a_row_with_a_deduction_but_no_reason_shows_the_error_and_stores_nothing(
    client, cast, world
):
    client.force_login(cast["hub"])
    org = world["assoc"]
    data = row_data(org, records="1")
    data[f"o{org.pk}-reason"] = ""
    url = reverse("stars:scoring-save", args=[world["hub"].pk, org.pk])
    response = client.post(f"{url}?month={months_ago(1):%Y-%m}", data, HTTP_HX_REQUEST="true")
    assert "“台账资料”扣分须填写扣分理由和依据" in response.content.decode()
    assert MonthlyScorecard.objects.count() == 0


def test_the_organisation_sees_its_scorecard_and_appeals_a_deduction(client, cast, world):
    card = score(cast["hub"], world["assoc"], months_ago(1), "8")
    line = card.lines.get(item__code="activities")
    client.force_login(cast["org_user"])
    page = client.get(reverse("stars:my-scorecards"))
    assert reverse("stars:scorecard-detail", args=[card.pk]) in page.content.decode()
    detail = client.get(reverse("stars:scorecard-detail", args=[card.pk]))
    assert "提出申诉" in detail.content.decode()
    response = client.post(reverse("stars:appeal-create", args=[line.pk]), {"grounds": "已开展"})
    assert response.status_code == 302
    assert ScoreAppeal.objects.get().grounds == "已开展"


def test_the_district_adjusts_an_appeal_from_its_page(client, cast, world):
    card = score(cast["hub"], world["assoc"], months_ago(1), "8")
    client.force_login(cast["org_user"])
    line = card.lines.get(item__code="activities")
    client.post(reverse("stars:appeal-create", args=[line.pk]), {"grounds": "已开展"})
    appeal = ScoreAppeal.objects.get()
    client.force_login(cast["district"])
    assert (
        "调整评分" in client.get(reverse("stars:appeal-detail", args=[appeal.pk])).content.decode()
    )
    client.post(
        reverse("stars:appeal-transition", args=[appeal.pk, "adjust"]),
        {"note": "属实", "adjusted_points": "2"},
    )
    assert MonthlyScorecard.objects.get().total == Decimal("9.5")


def test_the_interview_page_records_the_interview(client, cast, world):
    for n in (3, 2, 1):
        score(cast["hub"], world["assoc"], months_ago(n), "5")
    task = InterviewTask.objects.get()
    client.force_login(cast["hub"])
    assert "历下区养老服务协会" in client.get(reverse("stars:interview-list")).content.decode()
    client.post(
        reverse("stars:interview-record", args=[task.pk]),
        {"held_on": timezone.localdate().isoformat(), "outcome": "已约谈"},
    )
    task.refresh_from_db()
    assert task.state == "rectifying"


def test_the_star_ranking_page_ranks_the_region(client, cast, world):
    year = timezone.localdate().year - 1
    score(cast["hub"], world["assoc"], dt.date(year, 3, 1), "9")
    rate(cast["hub"], world["assoc"], year)
    client.force_login(cast["district"])
    response = client.get(reverse("stars:star-list"), {"year": year})
    html = response.content.decode()
    assert "历下区养老服务协会" in html
    assert "公布本辖区结果" in html


def test_the_award_page_lets_a_resident_vote(client, cast, world):
    from npohub.stars import services

    rnd = award_round(cast["district"])
    nomination = services.nomination_create(
        actor=cast["district"], award_round=rnd, organization=world["assoc"], statement="服务老人"
    )
    services.award_round_transition(
        actor=cast["district"], award_round=rnd, transition="open_voting"
    )
    client.force_login(cast["resident"])
    assert "投票" in client.get(reverse("stars:award-detail", args=[rnd.pk])).content.decode()
    client.post(reverse("stars:vote", args=[nomination.pk]))
    nomination.refresh_from_db()
    assert nomination.vote_count == 1


def _count_queries(client, url, params=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_list_pages_use_a_fixed_number_of_queries_whatever_the_row_count(client, cast, world):
    from npohub.stars import services

    year = timezone.localdate().year - 1
    client.force_login(cast["district"])

    def low_quarter(org, first_month):
        cards = [
            score(cast["hub"], org, dt.date(year, m, 1), "5")
            for m in range(first_month, first_month + 3)
        ]
        return cards[-1].lines.get(item__code="activities")

    def appeal(line):
        services.appeal_file(actor=cast["org_user"], line=line, grounds="已开展")

    appeal(low_quarter(world["assoc"], 1))
    rate(cast["hub"], world["assoc"], year)
    pages = [
        (reverse("stars:scorecard-list"), {}),
        (reverse("stars:star-list"), {"year": year}),
        (reverse("stars:interview-list"), {}),
        (reverse("stars:appeal-list"), {}),
    ]
    one = [_count_queries(client, url, params) for url, params in pages]
    appeal(low_quarter(world["assoc"], 5))
    low_quarter(world["group"], 1)
    rate(cast["hub"], world["group"], year)
    many = [_count_queries(client, url, params) for url, params in pages]
    # The star list: the ranking page and count, its two charts (score bands, stars), and the
    # region picker (the user's own unit, the select of its children).
    assert one == many == [4, 8, 5, 4]
