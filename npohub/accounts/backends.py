"""An authentication backend placed before django-axes: it authenticates nobody, but refuses
every password from an address that is locked for password spraying (``spraying.py``), on
every sign-in form (ours and the Django admin's)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from . import spraying


class PasswordSprayBackend:
    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        if request is None or password is None:
            return None
        if spraying.is_locked(spraying.client_ip(request)):
            setattr(request, spraying.LOCKED_ATTR, True)
            raise PermissionDenied
        # Remembered for the failure signal, which only sees the masked credentials.
        setattr(request, spraying.DIGEST_ATTR, spraying.password_digest(password))
        return None

    # No get_user(): this backend never signs anyone in, so Django never picks it for a session
    # (``Client.force_login`` and ``login()`` take the first backend that has one).
