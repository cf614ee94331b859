"""An application page links only where its reader may go: a joint-review department member
(who works from the review inbox) is taken back to the inbox, not to the application list they
cannot open, and sees the organisation's name without a link to a record outside their scope."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from npohub.registration import services
from npohub.registration.models import ReviewRoute

from .factories import attach
from .test_views import detail

pytestmark = pytest.mark.django_db


@pytest.fixture
def change(cast, orgs, depts):
    ReviewRoute.objects.create(application_kind="change", department=depts["approval"])
    app = services.application_create(
        actor=cast["org_user"],
        kind="change",
        organization=orgs["assoc"],
        data={"changes": {"address": "济南市历下区泉城路 9 号"}},
        supervisory_consent_on=timezone.localdate(),
    )
    attach(app, cast["org_user"], "application_form", "meeting_minutes", "supervisory_consent")
    services.application_transition(actor=cast["org_user"], app=app, transition="submit")
    services.application_transition(actor=cast["district"], app=app, transition="accept")
    return app


def test_a_review_department_member_is_linked_back_to_the_inbox_and_not_to_the_record(
    client, orgs, depts, change
):
    client.force_login(depts["users"]["approval"])
    html = client.get(detail(change)).content.decode()

    assert f'href="{reverse("registration:review-list")}"' in html
    assert f'href="{reverse("registration:application-list")}"' not in html
    record = reverse("orgs:organization-detail", args=[orgs["assoc"].pk])
    assert record not in html
    assert client.get(reverse("registration:application-list")).status_code == 404
    assert client.get(record).status_code == 404


def test_the_bureau_is_linked_to_the_application_list_and_the_organisations_record(
    client, cast, orgs, change
):
    client.force_login(cast["district"])
    html = client.get(detail(change)).content.decode()

    assert f'href="{reverse("registration:application-list")}"' in html
    assert reverse("orgs:organization-detail", args=[orgs["assoc"].pk]) in html
