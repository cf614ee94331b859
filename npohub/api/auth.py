"""API authentication: a bearer token (machine clients) or the browser session (with CSRF).

A token must be neither revoked nor expired (401 with the reason otherwise); a read-only token
may only read (403 on POST/PUT/PATCH/DELETE). A browser session of a user who needs a second
factor counts only once that factor is verified (the pages send them to enter it first).
"""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer

from npohub.accounts.models import TokenScope, User
from npohub.accounts.services import api_token_check
from npohub.accounts.two_factor import session_pending_state
from npohub.core.errors import PermissionDenied

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenAuth(HttpBearer):
    openapi_description = (
        "Authorization: Bearer npo_…（在“我的账号 → API 令牌”中创建；有到期时间，只读令牌只能查询）"
    )

    def authenticate(self, request: HttpRequest, token: str) -> User:
        found = api_token_check(token)  # AuthenticationFailed → 401 envelope with the reason
        if found.scope != TokenScope.READ_WRITE and request.method not in SAFE_METHODS:
            raise PermissionDenied(
                _("只读令牌只能查询，不能提交或修改数据；请使用读写令牌"),
                details={"scope": found.scope},
            )
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


class SessionAuth(APIKeyCookie):
    """The signed-in browser user; unsafe methods also need the CSRF token."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if session_pending_state(request):
            return None  # password given, second factor not yet
        return cast(User, user)


class OptionalAuth(SessionAuth):
    """For public endpoints: anonymous visitors get the public view."""

    def __call__(self, request: HttpRequest) -> Any:
        user = super().__call__(request)
        return user or getattr(request, "user", None) or True


def authenticated_by_token(request: HttpRequest) -> bool:
    return getattr(request, "api_token", None) is not None


token_auth = TokenAuth()
session_auth = SessionAuth(csrf=True)
staff_auth = [token_auth, session_auth]
