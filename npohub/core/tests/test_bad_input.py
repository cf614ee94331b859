"""Malformed or hostile request parameters get a page or a 4xx, never a 500."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from npohub.core.params import (
    DB_INT_MAX,
    IdField,
    clean_text,
    parse_int,
    query_id,
    query_text,
    query_year,
)

HUGE = "99999999999999999999999"
SUPERSCRIPT_TWO = "²"  # str.isdigit() says yes, int() says no


@pytest.fixture
def staff(client, cast, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    client.force_login(cast["city"])
    return client


# --- the shared helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("42", 42),
        (" 7 ", 7),
        ("-3", -3),
        ("", None),
        (None, None),
        ("abc", None),
        ("1e5", None),
        ("4.0", None),
        (SUPERSCRIPT_TWO, None),
        ("٣", None),  # Arabic-Indic three
        (HUGE, None),
        (str(DB_INT_MAX), DB_INT_MAX),
        (str(DB_INT_MAX + 1), None),
        ("9" * 5000, None),
        (True, None),
    ],
)
def test_parse_int_accepts_only_ascii_integers_a_database_can_hold(raw, expected):
    assert parse_int(raw) == expected


def test_query_helpers_fall_back_instead_of_failing():
    query = {"year": "0", "page": HUGE, "id": HUGE, "q": "abc\x00def", "other": SUPERSCRIPT_TWO}
    assert query_year(query, default=2025) == 2025
    assert query_year({"year": "2024"}) == 2024
    assert query_year({"year": "99999"}) is None
    assert query_id(query, "id") is None
    assert query_id({"id": "0"}, "id") is None
    assert query_id({"id": "12"}, "id") == 12
    assert query_id(query, "other") is None
    assert query_text(query, "q") == "abcdef"
    assert clean_text("a\x00b") == "ab"


def test_the_id_form_field_rejects_values_the_database_cannot_hold():
    assert IdField().clean("12") == 12
    for value in [HUGE, "0", "-1"]:
        with pytest.raises(ValidationError):
            IdField().clean(value)


# --- the pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["supervision:calendar", "supervision:dashboard", "supervision:missing"]
)
@pytest.mark.parametrize("year", ["0", "-5", "99999", HUGE, SUPERSCRIPT_TWO, "abc"])
def test_supervision_pages_fall_back_to_the_current_season_for_an_impossible_year(
    staff, name, year
):
    response = staff.get(reverse(name), {"year": year})
    assert response.status_code == 200
    assert response.context["year"] in response.context["years"]


@pytest.mark.parametrize(
    "url",
    ["orgs:organization-list", "supervision:missing", "portal:home", "accounts:user-list"],
)
def test_a_huge_page_number_shows_the_last_page(staff, orgs, url):
    response = staff.get(reverse(url), {"page": HUGE})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("orgs:organization-list", {"q": "abc\x00def"}),
        ("portal:home", {"q": "abc\x00def"}),
        ("imports:export", {"q": "abc\x00def", "format": "csv"}),
        ("supervision:calendar", {"year\x00": "2024"}),
    ],
)
def test_a_nul_character_in_the_query_is_a_chinese_400_page(staff, url, query):
    response = staff.get(reverse(url), query)
    assert response.status_code == 400
    assert "空字符" in response.content.decode()


def test_anonymous_search_with_a_nul_character_is_a_400_not_a_500(client, db):
    client.raise_request_exception = False
    response = client.get(reverse("portal:home") + "?q=abc%00def")
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("inspections:plan-list", {"year": SUPERSCRIPT_TWO}),
        ("enforcement:case-create", {"organization": SUPERSCRIPT_TWO, "complaint": HUGE}),
    ],
)
def test_digits_python_accepts_but_int_refuses_are_ignored(staff, orgs, url, query):
    response = staff.get(reverse(url), query)
    assert response.status_code in (200, 404)


def test_a_form_body_over_the_limit_is_a_chinese_413_page(staff, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = staff.post(
        reverse("accounts:login"),
        data="a=" + "x" * 2000,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert "过大" in response.content.decode()


# --- every list, every parameter ----------------------------------------------------------------

BAD_QUERIES = [
    "&".join(
        f"{name}={HUGE}"
        for name in ["page", "offset", "limit", "page_size", "id", "org", "organization", "user_id"]
    ),
    f"year=0&month=13&page={SUPERSCRIPT_TWO}&organization={SUPERSCRIPT_TWO}&id=-1",
    f"year={SUPERSCRIPT_TWO}&region={HUGE}&kind=x&status=x&parent={HUGE}&q=%C2%B2",
]


def _routes() -> list[str]:
    found = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                found.append(prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns)
    return [
        "/" + route
        for route in found
        if "<" not in route
        and "(?P" not in route
        and not route.startswith(("admin/", "api/", "i18n/"))
        and "logout" not in route
    ]


@pytest.mark.parametrize("who", ["anonymous", "city", "street"])
def test_no_page_answers_500_to_malformed_parameters(client, cast, orgs, settings, who):
    settings.DEBUG = False
    client.raise_request_exception = False
    if who != "anonymous":
        client.force_login(cast[who])
    failures = []
    for route in _routes():
        for query in BAD_QUERIES:
            response = client.get(f"{route}?{query}")
            if response.status_code >= 500:
                failures.append(f"{response.status_code} {route}?{query}")
    assert failures == []
