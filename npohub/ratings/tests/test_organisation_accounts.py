"""An organisation's own account counts while its grant is valid (``orgs.scope``): it applies,
objects and is told of its grade's changes only then. Before the one scope, grade assessment
counted any own grant ever given, ended or not."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from npohub.core.errors import InvalidTransition
from npohub.notifications.models import Notification
from npohub.orgs.tests.factories import grant
from npohub.ratings import services
from npohub.ratings.models import Grade
from npohub.ratings.permissions import can_apply

from .factories import advance, clean_org, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(regions):
    return clean_org(regions, name="历下区养老互助协会")


def _end(access) -> None:
    access.valid_until = timezone.localdate() - dt.timedelta(days=1)
    access.save()


def test_an_account_whose_grant_has_ended_no_longer_applies_for_its_organisation(
    cast, regions, org
):
    access = grant(cast["org_user"], org, "own")
    round = advance(cast["district"], make_round(cast["district"], regions), "open_applications")
    assert can_apply(cast["org_user"], round, org)
    _end(access)
    refused = can_apply(cast["org_user"], round, org)
    assert not refused and refused.reason == "只有该组织或组织评估的民政部门可以申报"


def test_a_downgrade_is_told_to_the_organisations_current_accounts_only(cast, regions, org):
    current = grant(cast["org_user"], org, "own")
    former = grant(cast["org_user_out"], org, "own")
    _end(former)
    today = timezone.localdate()
    grade = Grade.objects.create(
        organization=org,
        level="3A",
        awarded_on=today - dt.timedelta(days=30),
        valid_until=today + dt.timedelta(days=1000),
    )
    services.grade_downgrade(actor=cast["district"], grade=grade, reason="年检不合格")
    told = set(
        Notification.objects.filter(kind="ratings.grade_changed").values_list(
            "recipient_id", flat=True
        )
    )
    assert told == {current.user_id}


def test_a_move_refused_for_several_reasons_names_them_all(cast, regions):
    """The page and the API show one sentence with every problem (the API said the first)."""
    round = make_round(cast["district"], regions, kinds=["association", "foundation"])
    round.indicators.filter(kind="foundation").delete()
    root = round.indicators.filter(kind="association", parent__isnull=True).first()
    type(root).objects.filter(pk=root.pk).update(max_points=root.max_points + 10)
    with pytest.raises(InvalidTransition) as refused:
        services.round_transition(
            actor=cast["district"], round=round, transition="open_applications"
        )
    problems = refused.value.details["problems"]
    assert len(problems) >= 2
    assert refused.value.message == "；".join(problems)
