"""Query counts: the public credit status on the portal profile, the staff credit file page,
and the daily evaluation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from npohub.credit.models import Listing
from npohub.credit.services import (
    credit_evaluate,
    credit_request_file,
    credit_request_transition,
)

from .factories import fact

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _listed_with_requests(org, cast):
    fact(org, "warning", TODAY - dt.timedelta(days=10))
    credit_evaluate(on=TODAY)
    listing = Listing.objects.get(organization=org, removed_on__isnull=True)
    withdrawn = credit_request_file(
        actor=cast["org_user"], listing=listing, kind="objection", reasons="先撤回"
    )
    credit_request_transition(actor=cast["org_user"], request=withdrawn, transition="withdraw")
    credit_request_file(actor=cast["org_user"], listing=listing, kind="objection", reasons="有误")
    return listing


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_the_public_profile_lists_open_requests_and_leaves_out_withdrawn_ones_in_six_queries(
    client, orgs, cast
):
    _listed_with_requests(orgs["assoc"], cast)
    queries, html = _count(client, reverse("portal:organization", args=[orgs["assoc"].pk]))
    assert queries == 6
    assert html.count('class="credit-request"') == 1
    assert "待处理" in html


def test_the_staff_credit_file_page_reads_eight_queries(client, orgs, cast):
    _listed_with_requests(orgs["assoc"], cast)
    client.force_login(cast["district"])
    queries, html = _count(client, reverse("credit:organization-credit", args=[orgs["assoc"].pk]))
    assert queries == 8
    assert "列入日期" in html


@pytest.mark.parametrize(("listed", "queries"), [(2, 39), (4, 63)])
def test_the_daily_evaluation_reads_twelve_queries_per_organisation_it_lists(
    orgs, listed, queries, django_assert_num_queries
):
    # Twelve per organisation listed (savepoint pair, lock, open listings, facts, listing,
    # facts link, next action, event, audit, recipients, processed), none per fact re-read.
    for org in [orgs["assoc"], orgs["other"], orgs["far"], orgs["qingdao"]][:listed]:
        fact(org, "fine", TODAY - dt.timedelta(days=10), amount=100)
    with django_assert_num_queries(queries):
        result = credit_evaluate(on=TODAY)
    assert result.listed == listed
    assert Listing.objects.filter(removed_on__isnull=True).count() == listed


def test_staff_pages_name_each_request_state_in_words(client, orgs, cast):
    _listed_with_requests(orgs["assoc"], cast)
    client.force_login(cast["district"])

    for url in (
        reverse("credit:organization-credit", args=[orgs["assoc"].pk]),
        reverse("credit:request-list") + "?state=",  # every state, not only the open ones
    ):
        html = client.get(url).content.decode()
        assert "<td>待处理</td>" in html and "<td>已撤回</td>" in html, url
        assert "<td>filed</td>" not in html and "<td>withdrawn</td>" not in html, url
