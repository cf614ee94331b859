"""Two bureau users making the same move on one round at once: one succeeds, once."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from npohub.core.errors import InvalidTransition
from npohub.core.models import WorkflowEvent
from npohub.core.testing import postgres_only, race
from npohub.ratings import services
from npohub.ratings.models import Round
from npohub.ratings.workflows import RS

from .factories import make_round

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _moves(round: Round, move: str) -> int:
    return WorkflowEvent.objects.filter(
        workflow="ratings.round", object_id=round.pk, move=move
    ).count()


def test_two_concurrent_openings_leave_exactly_one_move_recorded(cast, regions):
    round = make_round(cast["district"], regions)
    outcome = race(
        *[
            lambda: services.round_transition(
                actor=cast["district"], round=round, transition="open_applications"
            )
            for _ in range(2)
        ]
    )
    assert sum(isinstance(r, Round) for r in outcome) == 1
    assert sum(isinstance(r, InvalidTransition) for r in outcome) == 1
    assert _moves(round, "open_applications") == 1
    round.refresh_from_db()
    assert round.state == RS.APPLICATIONS


def test_two_concurrent_openings_through_the_page_show_a_message_not_an_error_page(cast, regions):
    round = make_round(cast["district"], regions)
    url = reverse("ratings:round-transition", args=[round.pk, "open_applications"])

    def post() -> tuple[int, list[str]]:
        client = Client()
        client.force_login(cast["district"])
        response = client.post(url, {"note": ""})
        return response.status_code, [str(m) for m in get_messages(response.wsgi_request)]

    outcome = race(post, post)
    assert [status for status, _messages in outcome] == [302, 302]
    said = sorted(m for _status, messages in outcome for m in messages)
    assert said == ["已完成：开始受理申报", "评估轮次处于“受理申报”状态，不能“开始受理申报”"]
    assert _moves(round, "open_applications") == 1
