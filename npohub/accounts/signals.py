"""Sign-in hooks: a password sign-in starts the second-factor step; failures feed the
password-spraying limit."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.http import HttpRequest

from . import spraying, two_factor
from .models import User


def _on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        two_factor.reset_session_on_login(request, user)


def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any
) -> None:
    if request is None:
        return
    # A refusal because the account or the address is already locked checked no password.
    if getattr(request, "axes_locked_out", False) or getattr(request, spraying.LOCKED_ATTR, False):
        return
    spraying.record_failure(request, str(credentials.get("username") or ""))


def connect() -> None:
    user_logged_in.connect(_on_login, dispatch_uid="npohub.accounts.second_factor")
    user_login_failed.connect(_on_login_failed, dispatch_uid="npohub.accounts.spraying")
