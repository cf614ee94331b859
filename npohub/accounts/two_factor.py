"""Two-factor sign-in (TOTP via django-otp): who needs it, what the session says, QR and codes.

A session is *verified* when it holds django-otp's ``otp_device_id`` (set by
``django_otp.login`` after a correct code). A signed-in user who needs a second factor and is
not verified sees only the 2FA pages: ``SecondFactorMiddleware`` sends them to enter a code
(``verify``) or, with no authenticator yet, to set one up (``enrol``). The state is read from
the session, so verified requests cost no query.

Who needs it: the roles in ``settings.OTP_REQUIRED_ROLES`` ("administrators" = superusers,
Django staff and user administrators), and anyone who enrolled voluntarily.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from reportlab.graphics.barcode import qrencoder

from .models import RecoveryCodeDevice, User, Viewer

ADMINISTRATORS = "administrators"
# Session key: "verify" (has an authenticator, must enter a code), "enrol" (must set one up)
# or "" (nothing needed). Set at sign-in; recomputed if the role changes during the session.
PENDING_KEY = "npohub_2fa"
# Session key: the secret of an authenticator being set up, until its first code confirms it.
ENROL_SECRET_KEY = "npohub_2fa_secret"
VERIFY, ENROL = "verify", "enrol"

RECOVERY_CODE_COUNT = 10
# 16 characters from 31 that cannot be confused (no 0/o, 1/l/i): about 79 random bits.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 16


def second_factor_required(user: Viewer) -> bool:
    """Whether the user's role (or administrator status) obliges a second factor."""
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    roles = set(getattr(settings, "OTP_REQUIRED_ROLES", ()))
    if ADMINISTRATORS in roles and (user.is_superuser or user.is_staff or user.is_user_admin):
        return True
    return bool(user.role) and user.role in roles


def has_second_factor(user: Viewer) -> bool:
    if not isinstance(user, User):
        return False
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def pending_state_for(user: User) -> str:
    """What a fresh session of this user must do before anything else (one query)."""
    if has_second_factor(user):
        return VERIFY
    return ENROL if second_factor_required(user) else ""


def session_is_verified(request: HttpRequest) -> bool:
    return bool(request.session.get(DEVICE_ID_SESSION_KEY))


def session_pending_state(request: HttpRequest) -> str:
    """ "verify", "enrol" or "" for the signed-in user of this request (no query once known)."""
    session = request.session
    if SESSION_KEY not in session or session_is_verified(request):
        return ""
    state = session.get(PENDING_KEY)
    user = request.user
    if not isinstance(user, User):
        return ""
    if state is None or (not state and second_factor_required(user)):
        state = pending_state_for(user)
        session[PENDING_KEY] = state
    return str(state)


def mark_session_verified(request: HttpRequest, device: Any) -> None:
    """The user just proved the second factor with ``device``."""
    request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    request.session[PENDING_KEY] = ""
    request.session.pop(ENROL_SECRET_KEY, None)


def reset_session_on_login(request: HttpRequest, user: User) -> None:
    """A password sign-in starts unverified (``user_logged_in``)."""
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session.pop(ENROL_SECRET_KEY, None)
    request.session[PENDING_KEY] = pending_state_for(user)


# --- setting up an authenticator -----------------------------------------------------------


def new_totp_secret() -> str:
    """A fresh 20-byte TOTP key, hex-encoded as django-otp stores it."""
    return secrets.token_hex(20)


def enrolment_secret(request: HttpRequest) -> str:
    """The secret being set up in this session (kept until confirmed, so a reload keeps the
    QR code the user may already have scanned)."""
    secret = request.session.get(ENROL_SECRET_KEY)
    if not secret:
        secret = new_totp_secret()
        request.session[ENROL_SECRET_KEY] = secret
    return str(secret)


def unsaved_device(user: User, secret: str) -> TOTPDevice:
    return TOTPDevice(user=user, key=secret, name=_("身份验证器"), confirmed=False)


def base32_secret(device: TOTPDevice) -> str:
    """The key as people type it into an authenticator app, in groups of four."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_svg(text: str, *, size: int = 220) -> SafeString:
    """An inline SVG QR code of ``text``, drawn here (reportlab's encoder): no image request,
    no outside service. One path of unit squares; 4 modules of quiet zone."""
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(qrencoder.QR8bitByte(text))
    qr.make()
    count = qr.getModuleCount()
    quiet = 4
    path = "".join(
        f"M{col + quiet} {row + quiet}h1v1h-1z"
        for row in range(count)
        for col in range(count)
        if qr.isDark(row, col)
    )
    extent = count + 2 * quiet
    return mark_safe(  # noqa: S308 - built from numbers only; the label is escaped
        f'<svg xmlns="http://www.w3.org/2000/svg" class="qr-code" width="{size}" '
        f'height="{size}" viewBox="0 0 {extent} {extent}" shape-rendering="crispEdges" '
        f'role="img" aria-label="{escape(_("用身份验证器扫描此二维码"))}">'
        f'<rect width="{extent}" height="{extent}" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/></svg>'
    )


# --- recovery codes ------------------------------------------------------------------------


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Random codes shown once, as ``xxxx-xxxx-xxxx-xxxx``."""
    codes = []
    for _n in range(count):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _i in range(RECOVERY_CODE_LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4)))
    return codes


def normalize_recovery_code(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def recovery_code_hash(code: str) -> str:
    return hashlib.sha256(normalize_recovery_code(code).encode()).hexdigest()


def recovery_codes_left(user: User) -> int:
    device = RecoveryCodeDevice.objects.filter(user=user).first()
    return device.codes.count() if device is not None else 0


def looks_like_totp(code: str) -> bool:
    digits = "".join((code or "").split())
    return digits.isdigit() and len(digits) == 6
