"""One view of an inspector's pool entry: the pages and the API mask the ID number alike for
every role (``permissions.inspector_view``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from npohub.inspections.permissions import inspector_view

from .factories import pool

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"


@pytest.fixture
def entry(regions, cast):
    [entry] = pool(regions, 1)
    entry.id_number = ID
    entry.save()
    return entry


def test_every_role_sees_an_inspectors_id_number_masked_alike_on_the_pages_and_in_the_api(
    cast, entry, client
):
    people = {**cast, "the inspector": entry.user}
    checked = 0
    for role, user in people.items():
        client.force_login(user)
        page = client.get(reverse("inspections:pool-list"))
        record = client.get(reverse("inspections:pool-edit", args=[entry.pk]))
        api = client.get("/api/v1/inspections/inspectors")
        rows = api.json()["results"] if api.status_code == 200 else []
        listed = [row for row in rows if row["id"] == entry.pk]
        # The entry is on the pages exactly when the API lists it (others see no pool or 404).
        assert bool(listed) == (record.status_code == 200), role
        if not listed:
            continue
        assert page.status_code == 200, role
        checked += 1
        masked = listed[0]["personal_data_masked"]
        assert masked == (not inspector_view(user, entry).sees_personal_data), role
        assert (listed[0]["id_number"] == ID) == (not masked), role
        for html in (page.content.decode(), record.content.decode()):
            shown = html.replace(f'value="{ID}"', "")  # the keeper's edit form holds it
            assert (ID in shown) == (not masked), role
    assert checked >= 4  # the superuser, the city and district bureaus, the inspector


def test_the_inspector_and_the_bureau_keeping_the_pool_see_the_id_number_and_the_conflicts(
    cast, entry
):
    for user in (entry.user, cast["district"], cast["city"], cast["admin"]):
        view = inspector_view(user, entry)
        assert view.sees_personal_data and view.sees_conflicts, user
    assert not inspector_view(entry.user, entry).manages
    for role in ("district_out", "qingdao", "street", "inspector", "org_user"):
        view = inspector_view(cast[role], entry)
        assert not (view.sees_personal_data or view.sees_conflicts or view.manages), role
