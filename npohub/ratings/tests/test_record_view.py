"""One view of an expert's entry and of an application: the page and the API show the same
for every role (``permissions.expert_view`` / ``application_view``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from npohub.ratings import services
from npohub.ratings.permissions import application_view, expert_view

from .factories import advance, clean_org, expert, make_round, owner

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"


def test_every_role_sees_an_experts_id_number_masked_alike_on_the_page_and_in_the_api(
    cast, regions, client
):
    entry = expert(regions, "wang", id_number=ID)
    checked = 0
    for role, user in cast.items():
        client.force_login(user)
        page = client.get(reverse("ratings:expert-list"))
        api = client.get("/api/v1/ratings/experts")
        assert (page.status_code == 200) == (api.status_code == 200), role
        if api.status_code != 200:
            continue
        listed = [row for row in api.json()["results"] if row["id"] == entry.pk]
        html = page.content.decode()
        assert bool(listed) == (f"<td>{entry.user}</td>" in html), role
        if not listed:
            continue
        checked += 1
        masked = listed[0]["personal_data_masked"]
        assert masked == (not expert_view(user, entry).sees_personal_data), role
        assert (ID in html) == (not masked), role
        assert (listed[0]["id_number"] == ID) == (not masked), role
    assert checked >= 3  # the superuser, the city and the district bureau keeping the pool


def test_the_expert_and_the_bureau_keeping_the_pool_see_the_id_number_and_nobody_else(
    cast, regions
):
    entry = expert(regions, "li", id_number=ID)
    assert expert_view(entry.user, entry).sees_personal_data
    assert expert_view(cast["district"], entry).sees_personal_data
    for role in ("qingdao", "street", "org_user", "expert", "inspector"):
        view = expert_view(cast[role], entry)
        assert not view.sees_personal_data and not view.keeps_pool, role


def test_the_page_and_the_api_agree_on_an_applications_results_for_every_role(
    cast, regions, client
):
    org = clean_org(regions, name="历下区养老互助协会")
    owner(cast, org)
    round = make_round(cast["district"], regions)
    round = advance(cast["district"], round, "open_applications")
    app = services.application_submit(actor=cast["org_user"], round=round, organization=org)
    checked = 0
    for role, user in cast.items():
        client.force_login(user)
        page = client.get(reverse("ratings:application-detail", args=[app.pk]))
        api = client.get(f"/api/v1/ratings/applications/{app.pk}")
        assert (page.status_code == 200) == (api.status_code == 200), role
        if api.status_code != 200:
            continue
        checked += 1
        view = application_view(user, app)
        assert ("评估结果" in page.content.decode()) == view.shows_results, role
        assert ("评审组" in page.content.decode()) == view.manages, role
    assert checked >= 3  # the applicant, the district bureau, the city bureau at least
