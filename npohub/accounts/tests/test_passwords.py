"""Passwords like the user's own name, 姓名 (also in pinyin) or phone number are refused
wherever a password is set: creating a user, an administrator's reset, changing one's own
password on the page and through the API."""

from __future__ import annotations

import pytest

from npohub.accounts.models import Role, User
from npohub.accounts.services import api_token_create
from npohub.core.models import AuditEvent

PASSWORD = "pass-Word-123"


def _new_user(**overrides):
    data = {
        "username": "jfq_wangxin",
        "password": "Longer-pass-987",
        "display_name": "王小明",
        "role": Role.STREET_OFFICER,
        "region": "370102001000",
        "organization_label": "解放路街道办事处",
        "phone": "13905310000",
    }
    return {**data, **overrides}


@pytest.mark.parametrize(
    "password, like",
    [
        ("jfq_wangxin1", "用户名"),
        ("wangxiaoming1985", "姓名（拼音）"),
        ("13905310000a", "手机"),
    ],
)
def test_an_administrator_cannot_give_a_new_user_a_password_like_its_own_name_or_phone(
    client, cast, password, like
):
    client.force_login(cast["district"])
    before = User.objects.count()

    response = client.post("/accounts/users/new/", _new_user(password=password))

    assert response.status_code == 200
    errors = response.context["form"].errors["password"]
    assert any("太相似" in e and like in e for e in errors), errors
    assert User.objects.count() == before
    assert not User.objects.filter(username="jfq_wangxin").exists()


def test_a_new_user_with_an_unrelated_password_is_created(client, cast):
    client.force_login(cast["district"])

    response = client.post("/accounts/users/new/", _new_user())

    assert response.status_code == 302
    assert User.objects.get(username="jfq_wangxin").check_password("Longer-pass-987")


def test_an_administrators_reset_refuses_a_password_like_the_users_name(client, cast):
    target = cast["street"]
    client.force_login(cast["district"])

    response = client.post(
        f"/accounts/users/{target.pk}/password/",
        {"password": "street2026", "password_again": "street2026"},
    )

    assert response.status_code == 200
    assert "太相似" in response.context["form"].errors["password"][0]
    target.refresh_from_db()
    assert target.check_password(PASSWORD)


# --- one's own password --------------------------------------------------------------------


def _change(**overrides):
    data = {
        "current_password": PASSWORD,
        "password": "Another-Good-pass-7",
        "password_again": "Another-Good-pass-7",
    }
    return {**data, **overrides}


def test_a_user_changes_their_own_password_and_stays_signed_in(client, cast):
    client.force_login(cast["street"])

    response = client.post("/accounts/me/password/", _change())

    assert response.status_code == 302
    cast["street"].refresh_from_db()
    assert cast["street"].check_password("Another-Good-pass-7")
    assert client.get("/accounts/me/").status_code == 200
    assert AuditEvent.objects.filter(kind="accounts.password_changed").count() == 1


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"current_password": "wrong-one-123"}, "current_password"),
        ({"password": "street2026", "password_again": "street2026"}, "password"),
        ({"password": PASSWORD, "password_again": PASSWORD}, "password"),
        ({"password": "1234567890123", "password_again": "1234567890123"}, "password"),
        ({"password_again": "something-else-9"}, "password_again"),
        ({"password": "", "password_again": ""}, "password"),
    ],
)
def test_a_bad_password_change_is_refused_next_to_the_field_and_nothing_changes(
    client, cast, overrides, field
):
    client.force_login(cast["street"])

    response = client.post("/accounts/me/password/", _change(**overrides))

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    cast["street"].refresh_from_db()
    assert cast["street"].check_password(PASSWORD)
    assert not AuditEvent.objects.filter(kind="accounts.password_changed").exists()


def test_the_api_changes_the_callers_password_in_the_browser_session(client, cast):
    client.force_login(cast["street"])

    response = client.post(
        "/api/v1/me/password",
        {"current_password": PASSWORD, "new_password": "Another-Good-pass-7"},
        content_type="application/json",
    )

    assert response.status_code == 204
    cast["street"].refresh_from_db()
    assert cast["street"].check_password("Another-Good-pass-7")
    assert client.get("/api/v1/me/tokens").status_code == 200  # still signed in


def test_the_api_refuses_a_password_like_the_user_name_with_the_envelope(client, cast):
    client.force_login(cast["street"])

    response = client.post(
        "/api/v1/me/password",
        {"current_password": PASSWORD, "new_password": "street2026"},
        content_type="application/json",
    )

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert "太相似" in body["details"]["password"][0]
    cast["street"].refresh_from_db()
    assert cast["street"].check_password(PASSWORD)


def test_a_token_cannot_change_the_password(client, cast):
    _, raw = api_token_create(
        actor=cast["street"], user=cast["street"], name="同步", scope="read_write"
    )

    response = client.post(
        "/api/v1/me/password",
        {"current_password": PASSWORD, "new_password": "Another-Good-pass-7"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    cast["street"].refresh_from_db()
    assert cast["street"].check_password(PASSWORD)


@pytest.mark.parametrize(
    "body", [{}, {"current_password": PASSWORD}, {"new_password": "x" * 5000}, []]
)
def test_a_malformed_password_change_is_a_422(client, cast, body):
    client.force_login(cast["street"])

    response = client.post("/api/v1/me/password", body, content_type="application/json")

    assert response.status_code == 422
    cast["street"].refresh_from_db()
    assert cast["street"].check_password(PASSWORD)
