"""Ids and redirect targets taken from a request: a huge id is a field error (page and API),
``next=`` never leaves the platform."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from npohub.core.redirects import is_safe_url, next_url
from npohub.inspections import services as inspections
from npohub.inspections.tests.factories import drawn_plan, pool, population
from npohub.ratings.tests.factories import clean_org, expert, round_in_scoring

pytestmark = pytest.mark.django_db

HUGE_ID = "99999999999999999999"


@pytest.fixture
def drawn_check(regions, cast):
    population(regions, 10)
    pool(regions, 3)
    plan = drawn_plan(cast["district"], regions, ratio="0.2")
    plan = inspections.plan_transition(actor=cast["district"], plan=plan, transition="publish")
    return plan.checks.order_by("number").first()


def active_inspectors(check) -> set[int]:
    return set(check.assignments.filter(is_active=True).values_list("user_id", flat=True))


def test_replacing_an_inspector_with_a_huge_user_id_is_a_form_error_and_nothing_changes(
    client, cast, drawn_check, settings
):
    settings.DEBUG = False
    client.raise_request_exception = False
    before = active_inspectors(drawn_check)
    client.force_login(cast["district"])
    response = client.post(
        reverse("inspections:check-replace", args=[drawn_check.pk]),
        {"user_id": HUGE_ID, "reason": "亲属在该组织任职"},
    )
    assert response.status_code == 200
    assert response.context["replace_form"].errors["user_id"]
    assert active_inspectors(drawn_check) == before


def test_replacing_an_inspector_through_the_api_with_a_huge_user_id_is_a_422_naming_it(
    cast, drawn_check, settings
):
    settings.DEBUG = False
    client = Client()
    client.raise_request_exception = False
    client.force_login(cast["district"])
    before = active_inspectors(drawn_check)
    response = client.post(
        f"/api/v1/inspections/checks/{drawn_check.pk}/replace-inspector",
        data=json.dumps({"user_id": int(HUGE_ID), "reason": "亲属在该组织任职"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    body = json.loads(response.content)
    assert body["code"] == "validation_failed" and "user_id" in body["details"]
    assert active_inspectors(drawn_check) == before


# --- next= --------------------------------------------------------------------------------------


@pytest.fixture
def application(cast, regions):
    org = clean_org(regions, name="历下区养老互助协会")
    panel = [expert(regions, f"expert{i}") for i in range(3)]
    _round, [app] = round_in_scoring(cast["district"], regions, [org], panel)
    return app


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/x",
        "//evil.example/x",
        "http://evil.example",
        "javascript:alert(1)",
        "/\\evil.example/x",
        "https:/evil.example",
    ],
)
def test_a_ratings_form_never_redirects_off_site(client, cast, application, target):
    client.force_login(cast["district"])
    response = client.post(
        reverse("ratings:application-finalise", args=[application.pk]),
        {"final_total": "", "note": "", "next": target},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/ratings/applications/{application.pk}/"


def test_a_ratings_form_follows_a_next_on_the_platform(client, cast, application):
    client.force_login(cast["district"])
    response = client.post(
        reverse("ratings:application-finalise", args=[application.pk]),
        {"final_total": "", "note": "", "next": "/ratings/rounds/"},
    )
    assert response["Location"] == "/ratings/rounds/"


def test_the_redirect_helper_accepts_only_this_sites_paths(rf):
    request = rf.post("/x/", {"next": "https://evil.example/x"})
    assert next_url(request, "/home/") == "/home/"
    assert next_url(rf.get("/x/", {"next": "/orgs/?page=2"}), "/home/") == "/orgs/?page=2"
    assert is_safe_url(rf.get("/"), "http://testserver/orgs/")
    assert not is_safe_url(rf.get("/"), "")
    assert not is_safe_url(rf.get("/"), "https://testserver.evil.example/")
