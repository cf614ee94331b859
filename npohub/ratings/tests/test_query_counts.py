"""Query counts of the pages and list endpoints that show many applications at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from npohub.core.errors import InvalidTransition
from npohub.ratings import services

from .factories import ON, advance, clean_org, expert, make_round, round_in_scoring

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_committee_page_and_the_application_list_cost_the_same_for_one_or_three_applications(
    client, cast, regions
):
    pool = [expert(regions, f"e{i}") for i in range(3)]
    counts = []
    for n in (1, 3):
        orgs = [clean_org(regions, name=f"第{n}轮协会{i}") for i in range(n)]
        round, _apps = round_in_scoring(cast["district"], regions, orgs, pool)
        client.force_login(cast["district"])
        counts.append(
            [
                _queries(client, reverse("ratings:round-committee", args=[round.pk])),
                _queries(client, f"/api/v1/ratings/rounds/{round.pk}/applications"),
            ]
        )
    assert counts[0] == counts[1] == [5, 5]


def test_scoring_cannot_start_while_a_panel_is_short_of_experts_and_the_round_stays(cast, regions):
    full, short = (
        clean_org(regions, name="历下区专家齐全协会"),
        clean_org(regions, name="历下区缺专家协会"),
    )
    pool = [expert(regions, f"e{i}") for i in range(3)]
    round = make_round(cast["district"], regions)
    round = advance(cast["district"], round, "open_applications", today=dt.date(2025, 8, 1))
    apps = [
        services.application_submit(
            actor=cast["district"], round=round, organization=org, today=dt.date(2025, 8, 5)
        )
        for org in (full, short)
    ]
    round = advance(cast["district"], round, "close_applications")
    for app in apps:
        app.refresh_from_db()
    for e in pool:
        services.panel_assign(actor=cast["district"], application=apps[0], expert=e, today=ON)
    services.panel_assign(actor=cast["district"], application=apps[1], expert=pool[0], today=ON)
    with pytest.raises(InvalidTransition) as exc:
        advance(cast["district"], round, "start_scoring")
    assert exc.value.details == {"problems": ["历下区缺专家协会的评审组不足3名专家"]}
    round.refresh_from_db()
    assert round.state == "eligibility"
