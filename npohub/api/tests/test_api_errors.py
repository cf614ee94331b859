"""The API never answers 500 to a malformed request, and every error is the JSON envelope
``{code, message, details}`` — also for failures outside an endpoint and with DEBUG off."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from npohub.api.urls import api
from npohub.orgs.models import Organization

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"
PUBLIC_LISTS = [
    "/api/v1/public/organizations/",
    "/api/v1/public/announcements",
    "/api/v1/public/credit/listings",
    "/api/v1/public/supervision/conclusions",
    "/api/v1/public/inspections/plans",
    "/api/v1/public/hubs/hubs",
    "/api/v1/public/ratings/grades",
    "/api/v1/public/stars/awards",
]


def envelope(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = json.loads(response.content)
    assert set(body) == {"code", "message", "details"}, body
    assert body["message"]
    return body


@pytest.fixture
def anonymous(settings):
    settings.DEBUG = False
    client = Client()
    client.raise_request_exception = False
    return client


@pytest.fixture
def city(cast, settings):
    settings.DEBUG = False
    client = Client()
    client.raise_request_exception = False
    client.force_login(cast["city"])
    return client


def boom(*args, **kwargs):
    raise RuntimeError("deliberate failure in a test")


@pytest.mark.parametrize("url", PUBLIC_LISTS)
@pytest.mark.parametrize("parameter", ["page", "offset"])
def test_a_huge_page_or_offset_is_a_422_naming_the_parameter(anonymous, url, parameter):
    response = anonymous.get(url, {parameter: HUGE})
    assert response.status_code == 422
    body = envelope(response)
    assert body["code"] == "validation_failed"
    assert parameter in body["details"]


def test_the_last_page_far_away_is_empty_not_an_error(anonymous, orgs):
    response = anonymous.get("/api/v1/public/organizations/", {"page": "1000000"})
    assert response.status_code == 200
    assert json.loads(response.content)["results"] == []


@pytest.mark.parametrize(
    "url", ["/api/v1/public/organizations/?q=abc%00def", "/api/v1/organizations/?q=abc%00def"]
)
def test_a_nul_character_in_the_query_is_a_400_envelope(city, url):
    response = city.get(url)
    assert response.status_code == 400
    assert envelope(response)["code"] == "bad_request"


def test_a_nul_character_in_a_json_body_is_refused_and_nothing_is_stored(city, orgs):
    org = orgs["assoc"]
    before = Organization.objects.get(pk=org.pk).address
    response = city.patch(
        f"/api/v1/organizations/{org.pk}",
        data='{"address": "济南\\u0000历下"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert envelope(response)["code"] == "bad_request"
    assert Organization.objects.get(pk=org.pk).address == before


@pytest.mark.parametrize("url", ["calendar", "stats", "missing"])
@pytest.mark.parametrize("year", ["0", "-1", "99999", HUGE])
def test_an_impossible_supervision_year_is_a_422_naming_the_year(city, url, year):
    response = city.get(f"/api/v1/supervision/{url}", {"year": year})
    assert response.status_code == 422
    body = envelope(response)
    assert body["code"] == "validation_failed" and "year" in body["details"]


def test_an_unexpected_exception_is_a_500_envelope_without_the_traceback(
    anonymous, orgs, monkeypatch
):
    monkeypatch.setattr("npohub.api.public.endpoints.public_organization_get", boom)
    response = anonymous.get(f"/api/v1/public/organizations/{orgs['assoc'].pk}")
    assert response.status_code == 500
    body = envelope(response)
    assert body["code"] == "server_error"
    assert "deliberate" not in response.content.decode()


def test_an_integer_the_database_cannot_hold_is_a_400_envelope(anonymous, orgs, monkeypatch):
    def overflow(*args, **kwargs):
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    monkeypatch.setattr("npohub.api.public.endpoints.public_organization_get", overflow)
    response = anonymous.get(f"/api/v1/public/organizations/{orgs['assoc'].pk}")
    assert response.status_code == 400
    assert envelope(response)["code"] == "value_out_of_range"


def test_a_json_body_over_the_upload_limit_is_a_413_envelope_and_nothing_is_stored(city, orgs):
    org = orgs["assoc"]
    before = Organization.objects.get(pk=org.pk).purpose
    body = json.dumps({"purpose": "x" * 3_000_000})  # 3 MB
    response = city.patch(
        f"/api/v1/organizations/{org.pk}", data=body, content_type="application/json"
    )
    assert response.status_code == 413
    assert envelope(response)["code"] == "payload_too_large"
    assert Organization.objects.get(pk=org.pk).purpose == before


def test_an_unknown_api_address_and_a_wrong_method_answer_with_the_envelope(anonymous):
    missing = anonymous.get("/api/v1/no-such-thing")
    assert missing.status_code == 404
    assert envelope(missing)["code"] == "not_found"
    wrong = anonymous.delete("/api/v1/public/organizations/")
    assert wrong.status_code == 405
    assert envelope(wrong)["code"] == "method_not_allowed"


# --- every list operation, every parameter ------------------------------------------------------

BAD_QUERIES = [
    {"page": HUGE},
    {"offset": HUGE, "limit": "100"},
    {"page_size": HUGE},
    {"year": "0", "q": "²", "region": HUGE, "organization": HUGE, "id": HUGE, "user_id": HUGE},
    {"q": "abc\x00def"},
]


def _list_operations() -> list[str]:
    schema = api.get_openapi_schema()
    return [path for path, ops in schema["paths"].items() if "{" not in path and "get" in ops]


@pytest.mark.parametrize("who", ["anonymous", "city", "street"])
def test_no_list_operation_answers_500_and_every_error_is_an_envelope(cast, orgs, settings, who):
    settings.DEBUG = False
    client = Client()
    client.raise_request_exception = False
    if who != "anonymous":
        client.force_login(cast[who])
    failures = []
    for path in _list_operations():
        for query in BAD_QUERIES:
            response = client.get(path, query)
            if response.status_code >= 500:
                failures.append(f"{response.status_code} {path} {query}")
            elif response.status_code >= 400:
                body = json.loads(response.content)
                if set(body) != {"code", "message", "details"}:
                    failures.append(f"not an envelope: {path} {query}")
    assert failures == []
