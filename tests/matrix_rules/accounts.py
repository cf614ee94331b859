"""Permission-matrix rules for the accounts pages and /api/v1/me/ added with two-factor sign-in
and token expiry (merged into tests/test_permission_matrix.py).

The matrix signs its clients in with ``force_login``, which (root conftest) also passes the
second factor for the roles that need one; the 2FA pages themselves are open to every
signed-in user (an unverified one is sent there by the middleware, tested in accounts)."""

from __future__ import annotations

from typing import Any

from npohub.accounts.models import ApiToken, Role, User
from tests.matrix import SIGNED_IN, Rule, World

USER_ADMINS = frozenset({"admin", "city", "district", "qingdao"})
# Roles that must use a second factor (bureau staff and administrators) may not switch it off.
MUST_USE_2FA = frozenset({"admin", "city", "district", "district_out", "qingdao"})
CURRENT_PASSWORD = "pass-Word-123"  # the root conftest's cast password
NEW_PASSWORD = "Matrix-Change-2024!"


def _stranger(world: World) -> User:
    return world.once(
        "accounts-stranger",
        lambda: User.objects.create(username="accounts-stranger", role=Role.RESIDENT),
    )


def _token(owner: User, name: str) -> ApiToken:
    return ApiToken.objects.create(
        user=owner, name=name, key_prefix=name[:8], key_hash=f"matrix-me-{name}"
    )


def own_token(world: World, user: str) -> dict[str, dict[str, Any]]:
    """In: a token of the acting user; out: somebody else's token."""
    owner = world.user(user) or world.cast["street"]
    mine = world.once(("me-token", owner.pk), lambda: _token(owner, f"m{owner.pk}"))
    theirs = world.once("me-stranger-token", lambda: _token(_stranger(world), "stranger"))
    return {"in": {"token_id": mine.pk}, "out": {"token_id": theirs.pk}}


def managed_user(world: World, user: str) -> dict[str, dict[str, Any]]:
    """In: a user inside the administrator's region; out: a user no region administrator has."""
    actor = world.user(user)
    region = actor.region if actor is not None and actor.region_id else world.regions["lixia"]
    inside = world.once(
        ("otp-managed", region.code),
        lambda: User.objects.create(
            username=f"otp{region.code}",
            role=Role.COMMUNITY_WORKER,
            region=region,
            scope_prefix=region.prefix,
        ),
    )
    return {"in": {"pk": inside.pk}, "out": {"pk": _stranger(world).pk}}


def _password_form(world: World, user: str, scope: str) -> dict[str, Any]:
    return {
        "current_password": CURRENT_PASSWORD,
        "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD,
    }


POLICY: dict[str, Rule] = {
    # HTML: the second step of signing in and setting up an authenticator (signed-in users;
    # a wrong code changes nothing).
    "accounts:otp-verify": Rule(
        SIGNED_IN, methods=("GET", "POST"), body=lambda w, u, s: {"code": "000000"}, writes=False
    ),
    "accounts:otp-setup": Rule(
        SIGNED_IN, methods=("GET", "POST"), body=lambda w, u, s: {"code": "000000"}, writes=False
    ),
    "accounts:otp-recovery-codes": Rule(
        SIGNED_IN, writes=False, note="new codes for those with an authenticator, else a message"
    ),
    "accounts:otp-disable": Rule(
        SIGNED_IN,
        unsafe_allow=SIGNED_IN - MUST_USE_2FA,
        body=lambda w, u, s: {"password": CURRENT_PASSWORD},
        form_denial=True,
        note="bureau staff and administrators are refused with a message",
    ),
    "accounts:password-change": Rule(SIGNED_IN, methods=("GET", "POST"), body=_password_form),
    "accounts:user-otp-reset": Rule(USER_ADMINS, target=managed_user),
    # API: the caller's own tokens and password
    "me_tokens_list": Rule(SIGNED_IN),
    "me_tokens_create": Rule(SIGNED_IN, body=lambda w, u, s: {"name": "矩阵令牌"}),
    "me_tokens_revoke": Rule(
        SIGNED_IN, target=own_token, allow_out=frozenset(), note="only one's own tokens"
    ),
    "me_password_change": Rule(
        SIGNED_IN,
        body=lambda w, u, s: {"current_password": CURRENT_PASSWORD, "new_password": NEW_PASSWORD},
    ),
}
