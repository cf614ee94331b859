"""API tokens expire (90 days by default, a year at most), carry a scope (read-only tokens
cannot write) and are listed, created and revoked by their owner; an expired or revoked token
answers 401 with the JSON envelope."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from npohub.accounts.models import ApiToken, TokenScope
from npohub.accounts.services import api_token_create
from npohub.core.errors import ValidationFailed
from npohub.core.models import AuditEvent
from npohub.orgs.models import Organization

pytestmark = pytest.mark.django_db

TOKENS = "/api/v1/me/tokens"


def bearer(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def token_for(user, scope=TokenScope.READ_WRITE, days=None):
    return api_token_create(actor=user, user=user, name="测试", scope=scope, expires_in_days=days)


def patch_org(client: Client, org, data):
    return client.patch(
        f"/api/v1/organizations/{org.pk}", data=json.dumps(data), content_type="application/json"
    )


def age(token: ApiToken, days: int) -> None:
    """Pretend the token was made ``days`` days ago."""
    shift = dt.timedelta(days=days)
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=token.created_at - shift, expires_at=token.expires_at - shift
    )


# --- expiry --------------------------------------------------------------------------------


def test_a_new_token_expires_after_90_days_by_default(cast):
    token, _raw = token_for(cast["street"])

    left = token.expires_at - timezone.now()

    assert dt.timedelta(days=89, hours=23) < left <= dt.timedelta(days=90)


@pytest.mark.parametrize("days", [0, -1, 366, 10_000])
def test_a_validity_outside_one_day_to_one_year_is_refused_and_nothing_is_made(cast, days):
    with pytest.raises(ValidationFailed) as refused:
        token_for(cast["street"], days=days)

    assert "expires_in_days" in refused.value.details
    assert not ApiToken.objects.exists()


def test_an_expired_token_answers_401_with_the_envelope_and_its_reason(cast, orgs):
    token, raw = token_for(cast["city"])
    assert bearer(raw).get("/api/v1/organizations/").status_code == 200
    age(token, 91)

    response = bearer(raw).get("/api/v1/organizations/")

    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "authentication_required"
    assert "过期" in body["message"]
    assert set(body) == {"code", "message", "details"}


def test_an_expired_token_cannot_write_either(cast, orgs):
    token, raw = token_for(cast["city"])
    age(token, 91)
    before = orgs["assoc"].name

    response = patch_org(bearer(raw), orgs["assoc"], {"name": "改名协会"})

    assert response.status_code == 401
    orgs["assoc"].refresh_from_db()
    assert orgs["assoc"].name == before


def test_a_revoked_token_answers_401_with_the_envelope(cast):
    token, raw = token_for(cast["street"])
    session(cast["street"]).post(f"{TOKENS}/{token.pk}/revoke")

    response = bearer(raw).get("/api/v1/organizations/")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_required"
    assert "吊销" in response.json()["message"]


@pytest.mark.parametrize("raw", ["npo_nope", "garbage", "npo_" + "x" * 500, ""])
def test_an_unknown_or_malformed_token_answers_401_with_the_envelope(db, raw):
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/organizations/")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_required"


def test_a_token_of_a_disabled_user_answers_401(cast):
    _token, raw = token_for(cast["street"])
    cast["street"].is_active = False
    cast["street"].save(update_fields=["is_active"])

    assert bearer(raw).get("/api/v1/organizations/").status_code == 401


# --- scope ---------------------------------------------------------------------------------


def test_a_read_only_token_reads(cast, orgs):
    _token, raw = token_for(cast["city"], scope=TokenScope.READ)

    response = bearer(raw).get(f"/api/v1/organizations/{orgs['assoc'].pk}")

    assert response.status_code == 200


@pytest.mark.parametrize(
    "method, path",
    [
        ("post", "/api/v1/organizations/"),
        ("put", "/api/v1/organizations/{pk}"),
        ("patch", "/api/v1/organizations/{pk}"),
        ("delete", "/api/v1/ratings/indicators/{pk}"),
    ],
)
def test_a_read_only_token_cannot_write_and_nothing_changes(cast, orgs, method, path):
    _token, raw = token_for(cast["city"], scope=TokenScope.READ)
    before = (Organization.objects.count(), orgs["assoc"].name, AuditEvent.objects.count())

    response = getattr(bearer(raw), method)(
        path.format(pk=orgs["assoc"].pk),
        data=json.dumps({"name": "改名协会"}),
        content_type="application/json",
    )

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "permission_denied"
    assert "只读令牌" in body["message"]
    orgs["assoc"].refresh_from_db()
    assert (Organization.objects.count(), orgs["assoc"].name, AuditEvent.objects.count()) == before


def test_a_read_write_token_writes(cast, orgs):
    _token, raw = token_for(cast["city"], scope=TokenScope.READ_WRITE)

    response = patch_org(bearer(raw), orgs["assoc"], {"phone": "0531-87654321"})

    assert response.status_code == 200, response.content


def test_an_unknown_scope_is_refused(cast):
    with pytest.raises(ValidationFailed):
        token_for(cast["street"], scope="admin")
    assert not ApiToken.objects.exists()


# --- the owner's endpoints -----------------------------------------------------------------


def test_the_owner_creates_a_token_and_sees_its_key_once(cast):
    client = session(cast["street"])

    response = client.post(
        TOKENS, {"name": "区数据中心同步", "expires_in_days": 30}, content_type="application/json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["key"].startswith("npo_")
    assert body["scope"] == "read"  # read-only unless asked
    assert body["state"] == "active"
    token = ApiToken.objects.get(pk=body["id"])
    assert token.user == cast["street"] and token.key_hash != body["key"]
    assert dt.timedelta(days=29) < token.expires_at - timezone.now() <= dt.timedelta(days=30)
    listed = client.get(TOKENS).json()
    assert [t["id"] for t in listed["results"]] == [token.pk]
    assert "key" not in listed["results"][0]
    assert bearer(body["key"]).get("/api/v1/organizations/").status_code == 200


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"name": ""},
        {"name": "x" * 101},
        {"name": "同步", "scope": "admin"},
        {"name": "同步", "expires_in_days": 0},
        {"name": "同步", "expires_in_days": 366},
        {"name": "同步", "expires_in_days": "forever"},
    ],
)
def test_bad_token_input_is_a_422_naming_the_field_and_nothing_is_made(cast, payload):
    response = session(cast["street"]).post(TOKENS, payload, content_type="application/json")

    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
    assert not ApiToken.objects.exists()


def test_a_token_cannot_issue_tokens(cast):
    _token, raw = token_for(cast["street"])

    response = bearer(raw).post(TOKENS, {"name": "再来一个"}, content_type="application/json")

    assert response.status_code == 403
    assert ApiToken.objects.count() == 1


def test_the_list_shows_only_the_callers_tokens_with_their_state(cast):
    mine, _ = token_for(cast["street"])
    expired, _ = token_for(cast["street"])
    age(expired, 100)
    token_for(cast["street_out"])

    results = session(cast["street"]).get(TOKENS).json()["results"]

    assert {t["id"]: t["state"] for t in results} == {mine.pk: "active", expired.pk: "expired"}


def test_a_token_lists_its_owners_tokens(cast):
    _token, raw = token_for(cast["street"], scope=TokenScope.READ)

    assert bearer(raw).get(TOKENS).json()["count"] == 1


def test_the_owner_revokes_a_token_and_it_stops_at_once(cast):
    token, raw = token_for(cast["street"])

    response = session(cast["street"]).post(f"{TOKENS}/{token.pk}/revoke")

    assert response.status_code == 200
    assert response.json()["state"] == "revoked"
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert bearer(raw).get(TOKENS).status_code == 401


def test_nobody_revokes_another_users_token_it_looks_missing(cast):
    theirs, raw = token_for(cast["street_out"])
    before = AuditEvent.objects.count()

    for who in ("street", "district", "admin"):
        response = session(cast[who]).post(f"{TOKENS}/{theirs.pk}/revoke")
        assert response.status_code == 404, who
        assert response.json()["code"] == "not_found"

    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert AuditEvent.objects.count() == before
    assert bearer(raw).get(TOKENS).status_code == 200


def test_a_read_only_token_cannot_revoke(cast):
    token, raw = token_for(cast["street"], scope=TokenScope.READ)

    response = bearer(raw).post(f"{TOKENS}/{token.pk}/revoke")

    assert response.status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_anonymous_callers_get_401_from_the_token_endpoints(db):
    assert Client().get(TOKENS).status_code == 401
    assert Client().post(TOKENS, {"name": "x"}, content_type="application/json").status_code == 401
    assert not ApiToken.objects.exists()


# --- the page -------------------------------------------------------------------------------


def test_the_account_page_creates_a_read_only_token_for_90_days_unless_asked(client, cast):
    client.force_login(cast["street"])

    response = client.post("/accounts/me/", {"name": "报表同步"})

    token = ApiToken.objects.get()
    assert token.scope == TokenScope.READ
    assert dt.timedelta(days=89) < token.expires_at - timezone.now() <= dt.timedelta(days=90)
    assert response.context["raw_key"] in response.content.decode()


def test_the_account_page_creates_a_read_write_token_for_a_chosen_period(client, cast):
    client.force_login(cast["street"])

    client.post("/accounts/me/", {"name": "报表同步", "scope": "read_write", "expires_in_days": 7})

    token = ApiToken.objects.get()
    assert token.scope == TokenScope.READ_WRITE
    assert token.expires_at - timezone.now() <= dt.timedelta(days=7)


@pytest.mark.parametrize("days", ["0", "400", "abc"])
def test_the_account_page_refuses_a_period_it_does_not_offer(client, cast, days):
    client.force_login(cast["street"])

    response = client.post("/accounts/me/", {"name": "报表同步", "expires_in_days": days})

    assert response.status_code == 200
    assert response.context["form"].errors["expires_in_days"]
    assert not ApiToken.objects.exists()


def test_the_account_page_lists_scope_expiry_and_state(client, cast):
    expired, _ = token_for(cast["street"], scope=TokenScope.READ)
    age(expired, 100)
    token_for(cast["street"])
    client.force_login(cast["street"])

    html = client.get("/accounts/me/").content.decode()

    assert "已过期" in html and "有效" in html
    assert "只读" in html and "读写" in html
    assert "到期时间" in html
