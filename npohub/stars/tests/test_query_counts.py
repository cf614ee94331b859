"""Pages that list many rows cost the same number of queries whatever the row count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from npohub.hubs.tests.factories import add_member
from npohub.orgs.tests.factories import OrganizationFactory
from npohub.stars import services

from .factories import award_round, months_ago, score

pytestmark = pytest.mark.django_db


def _queries(client, params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("stars:scoring"), params).status_code == 200
    return len(ctx.captured_queries)


def _get_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_bulk_entry_page_uses_the_same_queries_for_two_or_five_scored_members(
    client, cast, world
):
    month = months_ago(1)
    params = {"month": f"{month:%Y-%m}"}
    client.force_login(cast["hub"])
    score(cast["hub"], world["assoc"], month, "8")
    two = _queries(client, params)
    for i in range(3):
        org = OrganizationFactory(name=f"解放桥社区志愿队{i}", community=world["assoc"].community)
        add_member(cast["city"], world["hub"], org)
        score(cast["hub"], org, month, "7")
    assert two == _queries(client, params) == 10


def _finished_round(cast, orgs):
    rnd = award_round(cast["district"])
    nominations = [
        services.nomination_create(
            actor=cast["district"], award_round=rnd, organization=org, statement="服务老人"
        )
        for org in orgs
    ]
    services.award_round_transition(
        actor=cast["district"], award_round=rnd, transition="open_voting"
    )
    for nomination in nominations:
        services.vote_cast(actor=cast["resident"], nomination=nomination)
    services.award_round_transition(actor=cast["district"], award_round=rnd, transition="finish")
    return rnd


def test_the_public_award_results_cost_the_same_for_one_or_three_rounds(client, cast, world):
    def counts():
        return [
            _get_queries(client, reverse("portal:stars-awards")),
            _get_queries(client, "/api/v1/public/stars/awards"),
        ]

    _finished_round(cast, [world["assoc"]])
    one = counts()
    _finished_round(cast, [world["assoc"], world["group"]])
    _finished_round(cast, [world["group"]])
    page = client.get(reverse("portal:stars-awards")).content.decode()
    assert page.count(world["group"].name) == 2
    assert one == counts() == [2, 3]
