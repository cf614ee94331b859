"""Two people making the same move on one application at once: one succeeds, once."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from npohub.core.errors import InvalidTransition
from npohub.core.testing import postgres_only, race
from npohub.registration import services
from npohub.registration.models import Application
from npohub.registration.tests.factories import app_history
from npohub.registration.workflows import S

from .test_views import submitted

pytestmark = [
    postgres_only,
    pytest.mark.usefixtures("depts"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_two_concurrent_acceptances_leave_exactly_one_move_recorded(cast):
    app = submitted(cast)
    outcome = race(
        *[
            lambda: services.application_transition(
                actor=cast["district"], app=app, transition="accept"
            )
            for _ in range(2)
        ]
    )
    assert sum(isinstance(r, Application) for r in outcome) == 1
    assert sum(isinstance(r, InvalidTransition) for r in outcome) == 1
    assert app_history(app, move="accept").count() == 1
    app.refresh_from_db()
    assert app.state == S.IN_REVIEW


def test_two_concurrent_acceptances_through_the_page_show_no_error_page(cast):
    app = submitted(cast)
    url = reverse("registration:application-transition", args=[app.pk])

    def post() -> int:
        client = Client()
        client.force_login(cast["district"])
        return client.post(url, {"transition": "accept", "note": ""}).status_code

    assert race(post, post) == [302, 302]
    assert app_history(app, move="accept").count() == 1
