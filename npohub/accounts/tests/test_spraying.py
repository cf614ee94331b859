"""Password spraying: one password tried over many accounts from one address locks that
address out (the per-account lock of django-axes never sees it)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from npohub.accounts.models import FailedLogin
from npohub.accounts.spraying import password_digest

LOGIN = "/accounts/login/"
PASSWORD = "pass-Word-123"
SPRAYED = "Spring-2026!"
NAMES = ["city", "district", "street", "community", "hub", "reviewer", "expert", "party"]


def attempt(client, username, password=SPRAYED, ip="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_one_password_tried_on_five_accounts_locks_the_address_even_for_a_right_password(
    client, cast, settings
):
    settings.LOGIN_SPRAY_LIMIT = 5
    first = [attempt(client, name) for name in NAMES[:4]]

    fifth = attempt(client, NAMES[4])
    right = attempt(client, "org_user", PASSWORD)

    assert [r.status_code for r in first] == [200, 200, 200, 200]
    assert fifth.status_code == 429
    assert right.status_code == 429
    html = right.content.decode()
    assert "已暂时禁止从此地址登录" in html and "30 分钟" in html
    assert "_auth_user_id" not in client.session


def test_the_lock_keeps_other_addresses_and_other_accounts_out_of_it(client, cast, settings):
    settings.LOGIN_SPRAY_LIMIT = 5
    for name in NAMES[:5]:
        attempt(client, name)

    response = attempt(client, "org_user", PASSWORD, ip="198.51.100.9")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(cast["org_user"].pk)


def test_many_wrong_passwords_for_one_account_are_left_to_the_account_lock(client, cast):
    responses = [attempt(client, "street", f"wrong-{i}") for i in range(4)]

    assert [r.status_code for r in responses] == [200, 200, 200, 200]
    assert attempt(client, "hub", PASSWORD).status_code == 302


def test_a_few_typos_by_colleagues_behind_one_address_do_not_lock_it(client, cast, settings):
    settings.LOGIN_SPRAY_LIMIT = 5
    for name in NAMES[:4]:
        attempt(client, name, f"{name}-typo-1")

    assert attempt(client, "org_user", PASSWORD).status_code == 302


def test_many_accounts_with_different_passwords_from_one_address_lock_it_too(
    client, cast, settings
):
    settings.LOGIN_SPRAY_IP_LIMIT = 6
    for i, name in enumerate(NAMES[:5]):
        assert attempt(client, name, f"guess-{i}").status_code == 200

    assert attempt(client, NAMES[5], "guess-5").status_code == 429
    assert attempt(client, "org_user", PASSWORD).status_code == 429


def test_the_lock_lifts_when_the_failures_age_out_of_the_window(client, cast, settings):
    settings.LOGIN_SPRAY_LIMIT = 5
    for name in NAMES[:5]:
        attempt(client, name)
    assert attempt(client, "org_user", PASSWORD).status_code == 429

    FailedLogin.objects.update(attempted_at=timezone.now() - dt.timedelta(minutes=31))

    assert attempt(client, "org_user", PASSWORD).status_code == 302


def test_the_django_admin_sign_in_is_refused_from_a_locked_address(client, cast, settings):
    settings.LOGIN_SPRAY_LIMIT = 5
    for name in NAMES[:5]:
        attempt(client, name)

    response = client.post(
        "/admin/login/",
        {"username": "admin", "password": PASSWORD, "next": "/admin/"},
        REMOTE_ADDR="203.0.113.7",
    )

    assert response.status_code == 200  # the admin's own form error
    assert "_auth_user_id" not in client.session


def test_failures_are_kept_without_the_password_and_old_ones_are_forgotten(client, cast):
    FailedLogin.objects.create(
        ip_address="192.0.2.1",
        username="old",
        password_digest="x",
        attempted_at=timezone.now() - dt.timedelta(hours=2),
    )

    attempt(client, "street")

    row = FailedLogin.objects.get()
    assert (row.ip_address, row.username) == ("203.0.113.7", "street")
    assert SPRAYED not in row.password_digest
    assert row.password_digest == password_digest(SPRAYED)


def test_refusals_while_locked_record_nothing_more(client, cast, settings):
    settings.LOGIN_SPRAY_LIMIT = 5
    for name in NAMES[:5]:
        attempt(client, name)
    kept = FailedLogin.objects.count()

    attempt(client, "org_user", PASSWORD)

    assert FailedLogin.objects.count() == kept
    assert not FailedLogin.objects.filter(password_digest=password_digest(PASSWORD)).exists()


@pytest.mark.parametrize("username", ["", " ", "x" * 300])
def test_odd_usernames_are_counted_without_error(client, cast, username):
    response = attempt(client, username)

    assert response.status_code == 200


@pytest.mark.parametrize("url", [LOGIN, "/admin/login/"])
def test_a_user_name_longer_than_any_account_is_refused_without_a_server_error(client, cast, url):
    # On PostgreSQL the lockout record's 255-character column refused it: a 500.
    response = client.post(url, {"username": "城" * 300, "password": SPRAYED})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
