"""/api/v1/me/: the caller's own API tokens (list, create, revoke) and password.

Creating a token or changing the password needs the browser session (with CSRF): a token never
issues tokens or changes credentials, so a leaked token cannot outlive its expiry or take over
the account. Listing and revoking work with a token too (a read-only one may only list).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from npohub.accounts.models import ApiToken
from npohub.accounts.selectors import api_token_get_for, api_tokens_of
from npohub.accounts.services import api_token_create, api_token_revoke, password_change
from npohub.core.errors import PermissionDenied

from ..auth import authenticated_by_token
from ..orgs.schemas import ErrorOut
from ..pagination import Page, PageParams, paginate
from ..request import api_user
from .schemas import PasswordChangeIn, TokenCreatedOut, TokenCreateIn, TokenOut

router = Router(tags=["account"])

ERRORS: dict[int, Any] = dict.fromkeys((401, 403, 404, 422), ErrorOut)


def token_of(token: ApiToken) -> dict[str, Any]:
    state = "revoked" if token.revoked_at else "expired" if token.is_expired else "active"
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.key_prefix,
        "scope": token.scope,
        "scope_label": token.get_scope_display(),
        "state": state,
        "state_label": token.state_label,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }


def _session_only(request: HttpRequest, what: str) -> None:
    if authenticated_by_token(request):
        raise PermissionDenied(
            _("%(what)s需要在浏览器中登录后操作，不能使用 API 令牌") % {"what": what}
        )


@router.get("/tokens", response={200: Page[TokenOut], **ERRORS}, operation_id="me_tokens_list")
def token_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    """The caller's own tokens, usable ones first (the key itself is never shown again)."""
    return paginate(request, api_tokens_of(api_user(request)), page, render=token_of)


@router.post("/tokens", response={201: TokenCreatedOut, **ERRORS}, operation_id="me_tokens_create")
def token_create(request: HttpRequest, payload: TokenCreateIn) -> Status[Any]:
    """A new token for the caller (browser session only); ``key`` is returned this once."""
    _session_only(request, _("创建令牌"))
    user = api_user(request)
    token, raw = api_token_create(
        actor=user,
        user=user,
        name=payload.name,
        scope=payload.scope,
        expires_in_days=payload.expires_in_days,
    )
    return Status(201, {**token_of(token), "key": raw})


@router.post(
    "/tokens/{token_id}/revoke",
    response={200: TokenOut, **ERRORS},
    operation_id="me_tokens_revoke",
)
def token_revoke(request: HttpRequest, token_id: int) -> dict[str, Any]:
    """Revoke one of the caller's own tokens; it stops working at once (another user's token
    is a 404, like a missing one)."""
    user = api_user(request)
    token = api_token_get_for(user, token_id)
    return token_of(api_token_revoke(actor=user, token=token))


@router.post("/password", response={204: None, **ERRORS}, operation_id="me_password_change")
def me_password_change(request: HttpRequest, payload: PasswordChangeIn) -> Status[Any]:
    """Change the caller's password (browser session only; the current password is asked
    again). A new password like the user name, 姓名 or phone number is a 422."""
    _session_only(request, _("修改密码"))
    user = password_change(
        actor=api_user(request),
        current_password=payload.current_password,
        new_password=payload.new_password,
    )
    update_session_auth_hash(request, user)
    return Status(204, None)
