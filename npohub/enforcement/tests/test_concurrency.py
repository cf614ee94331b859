"""Two people making the same move on one complaint or case at once: one succeeds, once."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from npohub.core.errors import InvalidTransition
from npohub.core.testing import postgres_only, race
from npohub.enforcement import services
from npohub.enforcement.models import Complaint, PenaltyCase

from .factories import complaint, history

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_two_concurrent_acceptances_of_a_complaint_leave_exactly_one_move_recorded(cast, orgs):
    c = complaint(orgs["assoc"])
    outcome = race(
        *[
            lambda: services.complaint_transition(
                actor=cast["district"], complaint=c, transition="accept"
            )
            for _ in range(2)
        ]
    )
    assert sum(isinstance(r, Complaint) for r in outcome) == 1
    assert sum(isinstance(r, InvalidTransition) for r in outcome) == 1
    assert history(c, move="accept").count() == 1
    c.refresh_from_db()
    assert c.state == "accepted"


def test_two_concurrent_investigations_of_a_case_leave_exactly_one_move_recorded(cast, orgs):
    case = services.case_open(actor=cast["district"], organization=orgs["assoc"], title="违规收费")
    outcome = race(
        *[
            lambda: services.case_transition(
                actor=cast["district"], case=case, transition="investigate"
            )
            for _ in range(2)
        ]
    )
    assert sum(isinstance(r, PenaltyCase) for r in outcome) == 1
    assert sum(isinstance(r, InvalidTransition) for r in outcome) == 1
    assert history(case, move="investigate").count() == 1
    case.refresh_from_db()
    assert case.state == "investigating"


def _post_twice(user, url, data):
    def post() -> int:
        client = Client()
        client.force_login(user)
        return client.post(url, data).status_code

    return race(post, post)


def test_two_concurrent_acceptances_through_the_page_show_no_error_page(cast, orgs):
    c = complaint(orgs["assoc"])
    url = reverse("enforcement:complaint-transition", args=[c.pk])
    assert _post_twice(cast["district"], url, {"transition": "accept"}) == [302, 302]
    assert history(c, move="accept").count() == 1


def test_two_concurrent_filings_through_the_page_show_no_error_page(cast, orgs):
    case = services.case_open(actor=cast["district"], organization=orgs["assoc"], title="违规收费")
    url = reverse("enforcement:case-transition", args=[case.pk])
    assert _post_twice(cast["district"], url, {"transition": "investigate"}) == [302, 302]
    assert history(case, move="investigate").count() == 1
