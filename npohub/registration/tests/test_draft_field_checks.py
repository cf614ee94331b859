"""Saving a draft checks the registered funds and the phones beside their fields, naming the
field: "abc" in 活动资金 used to be saved and reported only as a message on submission."""

from __future__ import annotations

import pytest

from npohub.registration.models import Application

from .factories import ASSOCIATION_DATA, establishment
from .test_views import detail, form_data

pytestmark = pytest.mark.django_db


def _save(client, app, **changes):
    data = form_data(**changes)
    data.pop("org_kind"), data.pop("authority_code")
    return client.post(f"{detail(app)}edit/", data)


def test_funds_that_are_not_an_amount_are_refused_on_save_beside_the_field_named_activity_funds(
    client, cast, depts
):
    app = establishment(cast["resident"])
    client.force_login(cast["resident"])

    response = _save(client, app, registered_funds="abc")

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["registered_funds"]
    assert errors["registered_funds"] == ["活动资金应为以元为单位的金额，如 50000；“abc”不是金额"]
    app.refresh_from_db()
    assert app.data["registered_funds"] == ASSOCIATION_DATA["registered_funds"]


def test_a_seven_digit_phone_is_refused_on_save_and_a_spaced_mobile_is_stored_one_way(
    client, cast, depts
):
    app = establishment(cast["resident"])
    client.force_login(cast["resident"])

    refused = _save(client, app, legal_representative_phone="1380000")
    assert "1380000" in refused.context["form"].errors["legal_representative_phone"][0]
    app.refresh_from_db()
    assert app.data["legal_representative_phone"] == ASSOCIATION_DATA["legal_representative_phone"]

    assert _save(client, app, legal_representative_phone="139 0531 0000").status_code == 302
    assert Application.objects.get(pk=app.pk).data["legal_representative_phone"] == "13905310000"
