"""One view of an application: the page and the API mask the same fields for every role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from npohub.registration import services
from npohub.registration.permissions import application_view
from npohub.registration.tests.factories import ESTABLISHMENT_DOCS, attach, establishment

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"


def test_every_role_sees_the_same_masking_on_the_page_and_in_the_api(cast, client):
    app = establishment(cast["resident"])
    attach(app, cast["resident"], *ESTABLISHMENT_DOCS)
    services.application_transition(actor=cast["resident"], app=app, transition="submit")
    checked = 0
    for role, user in cast.items():
        client.force_login(user)
        page = client.get(reverse("registration:application-detail", args=[app.pk]))
        api = client.get(f"/api/v1/registration/applications/{app.pk}")
        assert (page.status_code == 200) == (api.status_code == 200), role
        if api.status_code != 200:
            continue
        checked += 1
        masked = api.json()["personal_data_masked"]
        assert masked == (not application_view(user, app).sees_personal_data), role
        assert (ID in page.content.decode()) == (not masked), role
        assert (ID in str(api.json()["data"])) == (not masked), role
    assert checked >= 3  # the applicant, the district bureau, the city bureau at least


def test_a_draft_is_editable_by_its_applicant_only(cast):
    app = establishment(cast["resident"])
    assert application_view(cast["resident"], app).editable
    assert not application_view(cast["district"], app).editable
    assert not application_view(cast["street"], app).editable
