"""Password spraying: one password (or many) tried over many accounts from one address.

django-axes locks a *username* after repeated failures from one address; an attacker who tries
one common password against every account never trips it. Each failed sign-in is kept here for
``LOGIN_SPRAY_WINDOW_MINUTES`` with a keyed digest of the password tried, and an address is
locked out of every account while, within the window, its failures name

* ``LOGIN_SPRAY_LIMIT`` (5) different usernames with one and the same password, or
* ``LOGIN_SPRAY_IP_LIMIT`` (20) different usernames whatever the passwords.

The lock lifts by itself when the failures age out of the window.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import FailedLogin

# Set on the request by the authentication backend: the digest of the password being tried
# (the failure signal only gets the credentials with the password masked).
DIGEST_ATTR = "_npohub_password_digest"
LOCKED_ATTR = "npohub_spray_locked"


def window() -> dt.timedelta:
    return dt.timedelta(minutes=int(settings.LOGIN_SPRAY_WINDOW_MINUTES))


def client_ip(request: Any) -> str | None:
    """The address as django-axes sees it (same proxy settings)."""
    if request is None:
        return None
    return get_client_ip_address(request) or None


def password_digest(password: str) -> str:
    return salted_hmac("npohub.accounts.spraying", password or "", algorithm="sha256").hexdigest()


def _recent(ip: str) -> Any:
    return FailedLogin.objects.filter(ip_address=ip, attempted_at__gte=timezone.now() - window())


def is_locked(ip: str | None) -> bool:
    """Whether sign-ins from this address are refused now."""
    if not ip:
        return False
    recent = _recent(ip)
    same_password = (
        recent.values("password_digest")
        .annotate(users=Count("username", distinct=True))
        .filter(users__gte=settings.LOGIN_SPRAY_LIMIT)
    )
    if same_password.exists():
        return True
    return bool(recent.values("username").distinct().count() >= settings.LOGIN_SPRAY_IP_LIMIT)


def record_failure(request: Any, username: str) -> None:
    """Keep one failed sign-in (and forget those older than the window)."""
    ip = client_ip(request)
    digest = getattr(request, DIGEST_ATTR, None)
    if not ip or digest is None:
        return
    FailedLogin.objects.filter(attempted_at__lt=timezone.now() - window()).delete()
    FailedLogin.objects.create(
        ip_address=ip, username=(username or "").strip().lower()[:150], password_digest=digest
    )


def axes_username(request: Any, credentials: dict[str, Any] | None = None) -> str | None:
    """The username django-axes records (``AXES_USERNAME_CALLABLE``): as typed, cut to the
    150 characters a user name can have. Axes' own columns hold 255, so a longer name sent to
    the sign-in form (ours or the admin's) made PostgreSQL refuse the row: a 500."""
    if credentials:
        name = credentials.get("username")
    else:
        name = getattr(request, "data", getattr(request, "POST", {})).get("username")
    return None if name is None else str(name)[:150]
