"""Reads on users, scoped to what the reader may manage."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from npohub.core.errors import NotFound

from .models import ApiToken, User, Viewer
from .permissions import assignable_roles, can_manage_users


def user_list_for(actor: Viewer, *, search: str = "", role: str = "") -> QuerySet[User]:
    """Users an administrator may manage: those whose region lies inside theirs, in a role the
    administrator could give (the same rule as ``can_manage_user``)."""
    if not isinstance(actor, User) or not can_manage_users(actor):
        return User.objects.none()
    qs = User.objects.select_related("region")
    if not actor.is_superuser:
        qs = qs.filter(
            scope_prefix__startswith=actor.scope_prefix,
            is_superuser=False,
            role__in=sorted(assignable_roles(actor)),
        )
    if search:
        qs = qs.filter(Q(username__icontains=search) | Q(display_name__icontains=search))
    if role:
        qs = qs.filter(role=role)
    return qs.order_by("username")


def user_get_for(actor: Viewer, pk: int) -> User:
    """A user the actor may manage, or NotFound (missing and forbidden look the same)."""
    user = user_list_for(actor).filter(pk=pk).first()
    if user is None:
        raise NotFound(_("用户不存在"))
    return user


def api_tokens_of(user: Viewer) -> QuerySet[ApiToken]:
    """The user's own tokens, newest usable first."""
    if not isinstance(user, User) or not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-expires_at", "-pk")


def api_token_get_for(user: Viewer, pk: int) -> ApiToken:
    """One of the user's own tokens, or NotFound (another user's looks missing)."""
    token = api_tokens_of(user).select_related("user").filter(pk=pk).first()
    if token is None:
        raise NotFound(_("令牌不存在"))
    return token
