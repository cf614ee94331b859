"""The demo's bureau and administrator accounts sign in with the demo's published
authenticator key, printed by demo_accounts; the others with the password alone."""

from __future__ import annotations

import io

from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from npohub.accounts.models import User
from npohub.accounts.tests.helpers import code_for
from npohub.demo.accounts import DEMO_TOTP_KEY, DEMO_TOTP_SECRET

LOGIN = "/accounts/login/"


def test_demo_accounts_give_bureau_accounts_the_printed_key_and_it_signs_in(client, regions):
    out = io.StringIO()

    call_command("demo_accounts", stdout=out)
    call_command("demo_accounts", stdout=io.StringIO())  # idempotent: still one device each

    printed = out.getvalue()
    assert DEMO_TOTP_SECRET[:4] in printed and "demo_otp_code" in printed
    keyed = set(TOTPDevice.objects.values_list("user__username", flat=True))
    assert keyed == {"admin", "city", "district"}
    assert TOTPDevice.objects.count() == 3
    assert set(TOTPDevice.objects.values_list("key", flat=True)) == {DEMO_TOTP_KEY}

    response = client.post(LOGIN, {"username": "city", "password": "Demo-2026!", "next": "/orgs/"})
    assert response["Location"].startswith("/accounts/2fa/verify/")
    verified = client.post("/accounts/2fa/verify/", {"code": code_for(DEMO_TOTP_KEY)})
    assert verified.status_code == 302
    assert client.get("/orgs/").status_code == 200


def test_demo_otp_code_prints_the_current_code_of_the_demo_key(regions):
    call_command("demo_accounts", stdout=io.StringIO())
    out = io.StringIO()

    call_command("demo_otp_code", stdout=out)

    assert (
        code_for(DEMO_TOTP_KEY) in out.getvalue()
        or code_for(DEMO_TOTP_KEY, steps_ahead=-1) in out.getvalue()
    )


def test_demo_otp_code_never_shows_a_real_authenticators_code(regions):
    call_command("demo_accounts", stdout=io.StringIO())
    real = TOTPDevice.objects.get(user__username="city")
    real.key = "ab" * 20
    real.save(update_fields=["key"])

    out = io.StringIO()
    call_command("demo_otp_code", stdout=out)

    assert "city" not in out.getvalue()
    assert code_for(real) not in out.getvalue().split("：")[-1]
    assert User.objects.filter(username="street").exists()
