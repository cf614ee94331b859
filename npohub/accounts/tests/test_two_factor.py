"""Two-factor sign-in: bureau staff and administrators must enrol a TOTP authenticator and enter
its code after the password; others may. Recovery codes work once; a password alone can never
swap the authenticator; the setting decides which roles must."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.shortcuts import resolve_url
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from npohub.accounts import services, two_factor
from npohub.accounts.models import RecoveryCode, RecoveryCodeDevice
from npohub.accounts.tests.helpers import authenticator_for, code_for
from npohub.core.models import AuditEvent

PASSWORD = "pass-Word-123"
LOGIN = "/accounts/login/"
VERIFY = "/accounts/2fa/verify/"
SETUP = "/accounts/2fa/setup/"
ORGS = "/orgs/"


def sign_in(client, username, next_url=ORGS):
    return client.post(LOGIN, {"username": username, "password": PASSWORD, "next": next_url})


def landing():
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def enrolled(user):
    """An authenticator and recovery codes, as the setup page leaves them; the codes."""
    secret = two_factor.new_totp_secret()
    _device, codes = services.otp_enrol(
        actor=user, secret=secret, code=code_for(secret), session_verified=False
    )
    return codes


def pass_back_off(device):
    """Move the last failure back in time, as if the user had waited out django-otp's delay."""
    device.refresh_from_db()
    if device.throttling_failure_timestamp:
        device.throttling_failure_timestamp -= dt.timedelta(hours=1)
        device.save(update_fields=["throttling_failure_timestamp"])


# --- who must, and the way in --------------------------------------------------------------


@pytest.mark.parametrize("who", ["city", "district", "admin"])
def test_bureau_staff_and_administrators_without_an_authenticator_are_sent_to_set_one_up(
    client, cast, who
):
    response = sign_in(client, who)

    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2Forgs%2F"
    assert client.session["_auth_user_id"] == str(cast[who].pk)
    page = client.get(ORGS)
    assert page.status_code == 302
    assert page["Location"].startswith(SETUP)
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_the_setup_page_draws_the_qr_code_itself_and_shows_the_key_to_type(client, cast):
    sign_in(client, "city")

    response = client.get(SETUP)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and 'class="qr-code"' in html
    assert "<img" not in html.split('id="otp-qr"')[1].split("</div>")[0]
    secret = client.session[two_factor.ENROL_SECRET_KEY]
    shown = response.context["secret"].replace(" ", "")
    assert bytes.fromhex(secret) == __import__("base64").b32decode(shown + "=" * (-len(shown) % 8))
    assert "必须使用两步验证" in html
    # a reload keeps the same key (the user may already have scanned it)
    client.get(SETUP)
    assert client.session[two_factor.ENROL_SECRET_KEY] == secret


def test_the_right_code_turns_2fa_on_and_shows_ten_recovery_codes_stored_only_hashed(client, cast):
    sign_in(client, "city")
    client.get(SETUP)
    secret = client.session[two_factor.ENROL_SECRET_KEY]

    response = client.post(SETUP, {"code": code_for(secret), "next": ORGS})

    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    html = response.content.decode()
    assert all(code in html for code in codes)
    device = TOTPDevice.objects.get(user=cast["city"])
    assert device.confirmed and device.key == secret
    stored = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert stored == {two_factor.recovery_code_hash(c) for c in codes}
    assert not stored & set(codes)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(ORGS).status_code == 200
    assert AuditEvent.objects.filter(kind="accounts.otp_enrolled", target_id=str(cast["city"].pk))
    # shown once: the account page only counts them
    assert not any(code in client.get("/accounts/me/").content.decode() for code in codes)


@pytest.mark.parametrize("code", ["000000", "12345", "1234567", "abcdef", "", "1" * 40])
def test_a_wrong_or_malformed_setup_code_is_refused_and_nothing_is_stored(client, cast, code):
    sign_in(client, "city")
    client.get(SETUP)
    secret = client.session[two_factor.ENROL_SECRET_KEY]
    if code == code_for(secret):
        code = "999999" if code != "999999" else "888888"

    response = client.post(SETUP, {"code": code})

    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not TOTPDevice.objects.exists()
    assert not RecoveryCodeDevice.objects.exists()
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert client.get(ORGS).status_code == 302


def test_an_enrolled_user_enters_the_code_after_the_password_and_reaches_the_page_asked_for(
    client, cast
):
    device = authenticator_for(cast["district"])

    response = sign_in(client, "district")
    assert response["Location"] == f"{VERIFY}?next=%2Forgs%2F"
    assert client.get(ORGS)["Location"].startswith(VERIFY)

    verified = client.post(VERIFY, {"code": code_for(device), "next": ORGS})

    assert verified.status_code == 302
    assert verified["Location"] == ORGS
    assert client.get(ORGS).status_code == 200


def test_a_wrong_code_keeps_the_user_out_and_the_back_off_refuses_even_the_right_one_at_once(
    client, cast
):
    device = authenticator_for(cast["district"])
    sign_in(client, "district")

    wrong = client.post(VERIFY, {"code": "000000" if code_for(device) != "000000" else "111111"})

    assert wrong.status_code == 200
    assert "验证码不正确" in wrong.context["form"].errors["code"][0]
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert client.get(ORGS).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    too_soon = client.post(VERIFY, {"code": code_for(device)})
    assert "尝试次数过多" in too_soon.context["form"].errors["code"][0]
    assert DEVICE_ID_SESSION_KEY not in client.session
    pass_back_off(device)
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 302


def test_a_code_that_was_used_once_cannot_be_used_again(client, cast):
    device = authenticator_for(cast["district"])
    code = code_for(device)
    sign_in(client, "district")
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.post("/accounts/logout/")
    sign_in(client, "district")

    again = client.post(VERIFY, {"code": code})

    assert again.status_code == 200
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_a_recovery_code_signs_in_once_and_only_once(client, cast):
    codes = enrolled(cast["district"])
    sign_in(client, "district")

    response = client.post(VERIFY, {"code": codes[3].upper().replace("-", " ")})

    assert response.status_code == 302
    assert client.get(ORGS).status_code == 200
    assert two_factor.recovery_codes_left(cast["district"]) == 9
    assert AuditEvent.objects.filter(kind="accounts.otp_recovery_code_used").count() == 1
    client.post("/accounts/logout/")
    sign_in(client, "district")
    again = client.post(VERIFY, {"code": codes[3]})
    assert again.status_code == 200
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert two_factor.recovery_codes_left(cast["district"]) == 9


def test_with_the_password_alone_nobody_can_replace_the_authenticator(client, cast):
    device = authenticator_for(cast["district"])
    sign_in(client, "district")

    page = client.get(SETUP)
    posted = client.post(SETUP, {"code": code_for(two_factor.new_totp_secret())})

    assert page.status_code == 302 and page["Location"].startswith(VERIFY)
    assert posted.status_code == 302 and posted["Location"].startswith(VERIFY)
    assert list(TOTPDevice.objects.filter(user=cast["district"])) == [device]
    assert TOTPDevice.objects.get().key == device.key
    with pytest.raises(services.DomainError):
        services.otp_enrol(
            actor=cast["district"],
            secret=(s := two_factor.new_totp_secret()),
            code=code_for(s),
            session_verified=False,
        )
    assert TOTPDevice.objects.get().key == device.key


def test_a_verified_user_replaces_the_authenticator_and_the_old_one_and_codes_stop_working(
    client, cast
):
    old_codes = enrolled(cast["district"])
    old = TOTPDevice.objects.get(user=cast["district"])
    client.force_login(cast["district"])  # verified with the existing authenticator
    client.get(SETUP)
    secret = client.session[two_factor.ENROL_SECRET_KEY]

    response = client.post(SETUP, {"code": code_for(secret)})

    assert response.status_code == 200
    assert list(TOTPDevice.objects.filter(user=cast["district"]).values_list("key", flat=True)) == [
        secret
    ]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert not RecoveryCode.objects.filter(
        code_hash__in=[two_factor.recovery_code_hash(c) for c in old_codes]
    ).exists()


def test_an_unverified_session_gets_401_with_the_envelope_from_the_api(client, cast):
    authenticator_for(cast["city"])
    sign_in(client, "city")

    response = client.get("/api/v1/organizations/")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_required"


def test_an_htmx_request_of_an_unverified_session_moves_the_whole_page(client, cast):
    authenticator_for(cast["city"])
    sign_in(client, "city")

    response = client.get(ORGS, HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    assert response["HX-Redirect"] == VERIFY


def test_fragments_asked_for_by_the_2fa_page_itself_do_not_reload_it_forever(client, cast):
    authenticator_for(cast["city"])
    sign_in(client, "city")

    response = client.get(
        "/notifications/badge/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/accounts/2fa/verify/?next=%2Forgs%2F",
    )

    assert response.status_code == 204
    assert "HX-Redirect" not in response


def test_the_django_admin_is_behind_the_second_factor_too(client, cast):
    response = client.post(
        "/admin/login/", {"username": "admin", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302

    page = client.get("/admin/")

    assert page.status_code == 302
    assert page["Location"].startswith(SETUP)


def test_a_next_address_off_the_site_is_ignored_after_the_code(client, cast):
    device = authenticator_for(cast["district"])
    sign_in(client, "district")

    response = client.post(VERIFY, {"code": code_for(device), "next": "https://evil.example/x"})

    assert response.status_code == 302
    assert response["Location"] == landing()


def test_the_verify_page_of_someone_with_nothing_to_verify_just_moves_on(client, cast):
    client.force_login(cast["street"])

    assert client.get(VERIFY)["Location"] == landing()
    assert client.get(VERIFY, {"next": "/regions/"})["Location"] == "/regions/"


def test_anonymous_visitors_are_asked_to_sign_in_before_any_2fa_page(client, db):
    for url in (VERIFY, SETUP):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


# --- optional for the other roles --------------------------------------------------------


@pytest.mark.parametrize("who", ["street", "community", "hub", "org_user", "resident"])
def test_other_roles_sign_in_with_the_password_alone(client, cast, who):
    response = sign_in(client, who)

    assert response.status_code == 302
    assert response["Location"] == ORGS
    assert not TOTPDevice.objects.exists()


def test_a_street_officer_who_enrolled_is_asked_for_the_code_too(client, cast):
    device = authenticator_for(cast["street"])

    response = sign_in(client, "street")

    assert response["Location"].startswith(VERIFY)
    assert client.get(ORGS).status_code == 302
    client.post(VERIFY, {"code": code_for(device)})
    assert client.get(ORGS).status_code == 200


def test_a_street_officer_enrols_voluntarily_from_the_account_page(client, cast):
    client.force_login(cast["street"])
    page = client.get("/accounts/me/").content.decode()
    assert "未启用" in page and SETUP in page
    client.get(SETUP)
    secret = client.session[two_factor.ENROL_SECRET_KEY]

    response = client.post(SETUP, {"code": code_for(secret)})

    assert response.status_code == 200 and len(response.context["codes"]) == 10
    assert "已启用" in client.get("/accounts/me/").content.decode()


def test_a_street_officer_switches_2fa_off_with_the_password(client, cast):
    enrolled(cast["street"])
    client.force_login(cast["street"])

    wrong = client.post("/accounts/2fa/disable/", {"password": "not-it"})
    assert TOTPDevice.objects.filter(user=cast["street"]).exists()
    assert wrong.status_code == 302
    response = client.post("/accounts/2fa/disable/", {"password": PASSWORD})

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=cast["street"]).exists()
    assert not RecoveryCodeDevice.objects.filter(user=cast["street"]).exists()
    assert AuditEvent.objects.filter(kind="accounts.otp_disabled").count() == 1


@pytest.mark.parametrize("who", ["city", "district"])
def test_bureau_staff_cannot_switch_2fa_off(client, cast, who):
    enrolled(cast[who])
    client.force_login(cast[who])
    before = AuditEvent.objects.count()

    response = client.post("/accounts/2fa/disable/", {"password": PASSWORD})

    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=cast[who]).count() == 1
    assert RecoveryCodeDevice.objects.filter(user=cast[who]).count() == 1
    assert AuditEvent.objects.count() == before
    assert "不能停用" in client.get("/accounts/me/").content.decode()


def test_recovery_codes_are_regenerated_and_the_old_ones_stop_working(client, cast):
    old = enrolled(cast["district"])
    client.force_login(cast["district"])

    response = client.post("/accounts/2fa/recovery-codes/")

    new = response.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    hashes = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert hashes == {two_factor.recovery_code_hash(c) for c in new}


def test_recovery_codes_cannot_be_made_without_an_authenticator(client, cast):
    client.force_login(cast["street"])

    response = client.post("/accounts/2fa/recovery-codes/")

    assert response.status_code == 302
    assert not RecoveryCodeDevice.objects.exists()


# --- the administrator's reset and the setting ---------------------------------------------


def test_a_user_administrator_resets_a_lost_authenticator_and_the_user_enrols_again(client, cast):
    enrolled(cast["community"])
    client.force_login(cast["district"])

    response = client.post(f"/accounts/users/{cast['community'].pk}/2fa-reset/")

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=cast["community"]).exists()
    assert not RecoveryCodeDevice.objects.filter(user=cast["community"]).exists()
    assert AuditEvent.objects.filter(
        kind="accounts.otp_reset", target_id=str(cast["community"].pk)
    ).exists()
    client.post("/accounts/logout/")
    assert sign_in(client, "community")["Location"] == ORGS  # optional role: password only


def test_a_user_administrator_cannot_reset_2fa_outside_its_district(client, cast):
    enrolled(cast["street_out"])
    client.force_login(cast["district"])
    before = AuditEvent.objects.count()

    response = client.post(f"/accounts/users/{cast['street_out'].pk}/2fa-reset/")

    assert response.status_code == 404
    assert TOTPDevice.objects.filter(user=cast["street_out"]).count() == 1
    assert AuditEvent.objects.count() == before


def test_a_user_who_is_not_an_administrator_cannot_reset_anyones_2fa(client, cast):
    enrolled(cast["community"])
    client.force_login(cast["street"])

    response = client.post(f"/accounts/users/{cast['community'].pk}/2fa-reset/")

    assert response.status_code == 404
    assert TOTPDevice.objects.filter(user=cast["community"]).count() == 1


def test_the_required_roles_come_from_the_otp_required_roles_setting(client, cast, settings):
    settings.OTP_REQUIRED_ROLES = ["street_officer"]

    street = sign_in(client, "street")
    client.post("/accounts/logout/")
    city = sign_in(client, "city")

    assert street["Location"].startswith(SETUP)
    assert city["Location"] == ORGS


def test_a_user_promoted_to_a_required_role_during_a_session_must_enrol_at_once(client, cast):
    sign_in(client, "community")
    assert client.get(ORGS).status_code == 200
    user = cast["community"]
    user.role = "district_bureau"
    user.save(update_fields=["role"])

    response = client.get(ORGS)

    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)


def test_a_password_sign_in_never_inherits_an_earlier_verification(rf, cast):
    device = authenticator_for(cast["district"])
    request = rf.post(LOGIN)
    request.session = SessionStore()
    request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # verified earlier
    request.user = AnonymousUser()

    login(request, cast["district"], backend="django.contrib.auth.backends.ModelBackend")

    assert DEVICE_ID_SESSION_KEY not in request.session
    assert request.session[two_factor.PENDING_KEY] == two_factor.VERIFY


def test_the_throttle_of_the_recovery_codes_counts_wrong_guesses(client, cast):
    enrolled(cast["district"])
    sign_in(client, "district")

    client.post(VERIFY, {"code": "aaaa-bbbb-cccc-dddd"})

    device = RecoveryCodeDevice.objects.get(user=cast["district"])
    assert device.throttling_failure_count == 1
    assert device.throttling_failure_timestamp <= timezone.now()
    assert DEVICE_ID_SESSION_KEY not in client.session
