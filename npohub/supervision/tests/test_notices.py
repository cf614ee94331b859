"""Who hears about a report's moves: the one scope's answers (current grants only)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from npohub.accounts.models import Role
from npohub.accounts.tests.factories import UserFactory
from npohub.notifications.models import Notification
from npohub.orgs.models import OrganizationAccess
from npohub.supervision import services
from npohub.supervision.tests.factories import make_report

pytestmark = pytest.mark.django_db


def _recipients(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_a_submitted_report_is_announced_to_current_supervisors_and_accounts_only(cast, orgs):
    """The old helper read every grant of the organisation, ended ones too."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    for username, reason in (("former_reviewer", "supervised"), ("former_account", "own")):
        user = UserFactory(username=username, role=Role.REVIEWER)
        OrganizationAccess.objects.create(
            user=user, organization=orgs["assoc"], reason=reason, valid_until=yesterday
        )
    report = make_report(orgs["assoc"], cast["org_user"])
    on = dt.date(2026, 3, 1)
    report = services.report_transition(
        actor=cast["org_user"], report=report, transition="submit", today=on
    )
    assert _recipients("supervision.to_review") == {"reviewer"}
    services.report_transition(
        actor=cast["reviewer"], report=report, transition="supervisor_approve", today=on
    )
    assert _recipients("supervision.update") == {"org_user"}


def test_a_report_reaching_the_bureau_is_announced_to_the_bureaus_of_its_place(cast, orgs):
    report = make_report(orgs["assoc"], cast["org_user"])
    on = dt.date(2026, 3, 1)
    report = services.report_transition(
        actor=cast["org_user"], report=report, transition="submit", today=on
    )
    Notification.objects.all().delete()
    services.report_transition(
        actor=cast["reviewer"], report=report, transition="supervisor_approve", today=on
    )
    assert _recipients("supervision.to_review") == {"admin", "city", "district"}
