"""The caller of an endpoint, typed: ninja's authentication puts the user on ``request.auth``."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest

from npohub.accounts.models import User


def api_user(request: HttpRequest) -> User:
    """The signed-in user of an authenticated endpoint (session or bearer token)."""
    return cast(User, getattr(request, "auth"))  # noqa: B009 - set by ninja at run time
