"""Second-factor helpers for tests: a confirmed authenticator and its current code, and a
test client session marked as verified (what ``force_login`` stands for in other tests)."""

from __future__ import annotations

import time
from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from npohub.accounts import two_factor

# A fixed key, so a failing test can be replayed with any authenticator.
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"


def authenticator_for(user: Any, key: str = TEST_TOTP_KEY) -> TOTPDevice:
    """The user's confirmed TOTP device (created with ``key`` if there is none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, key=key, name="测试", confirmed=True)
    return device


def code_for(device_or_key: Any, *, steps_ahead: int = 0) -> str:
    """The 6-digit code an authenticator shows now (or ``steps_ahead`` 30-second steps on)."""
    key = device_or_key.key if isinstance(device_or_key, TOTPDevice) else device_or_key
    totp = TOTP(bytes.fromhex(key))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def mark_verified(client: Client, user: Any) -> None:
    """Make the client's signed-in session count as verified with the user's authenticator."""
    device = authenticator_for(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[two_factor.PENDING_KEY] = ""
    session.save()


def force_login_verified(original: Any) -> Any:
    """Wrap ``Client.force_login``: a user who must use a second factor gets a session that
    has passed it (tests of the sign-in itself post to the login page instead)."""

    def force_login(self: Client, user: Any, backend: str | None = None) -> None:
        original(self, user, backend)
        if self.session.get(two_factor.PENDING_KEY):  # set by the sign-in signal
            mark_verified(self, user)

    force_login.__wrapped__ = original  # type: ignore[attr-defined]
    return force_login
