"""API authentication: a bearer token (machine clients) or the browser session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from npohub.accounts.services import api_token_authenticate


class TokenAuth(HttpBearer):
    openapi_description = "Authorization: Bearer npo_…（在“个人设置 → API 令牌”中创建）"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser user; unsafe methods also need the CSRF token."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


class OptionalAuth(SessionAuth):
    """For public endpoints: anonymous visitors get the public view."""

    def __call__(self, request: HttpRequest) -> Any:
        user = super().__call__(request)
        return user or getattr(request, "user", None) or True


token_auth = TokenAuth()
session_auth = SessionAuth(csrf=True)
staff_auth = [token_auth, session_auth]
