"""Writes on users and API tokens. Each takes the acting user and records an audit event."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.core.audit import audit_record
from npohub.core.errors import Conflict, ValidationFailed
from npohub.core.permissions import require
from npohub.regions.models import Region

from .models import REGION_ROLES, ApiToken, Role, User
from .permissions import can_assign_scope, can_manage_user, can_manage_users


def _prefix_of(region: Region | None) -> str:
    return region.prefix if region is not None else ""


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed(
            _("密码不符合要求"), details={"password": list(exc.messages)}
        ) from exc


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    region: Region | None = None,
    is_user_admin: bool = False,
    organization_label: str = "",
    phone: str = "",
) -> User:
    """Create a user whose region lies inside the administrator's own region."""
    require(can_manage_users(actor))
    errors: dict[str, str] = {}
    username = (username or "").strip()
    if not username:
        errors["username"] = _("请填写用户名")
    elif User.objects.filter(username=username).exists():
        raise Conflict(
            _("用户名“%(username)s”已存在") % {"username": username},
            code="username_taken",
            details={"username": _("已存在")},
        )
    if role not in Role.values:
        errors["role"] = _("未知角色：%(role)s") % {"role": role}
    if role in REGION_ROLES and region is None:
        errors["region"] = _("该角色必须指定所辖区划")
    if errors:
        raise ValidationFailed(_("用户信息有误"), details=errors)
    require(can_assign_scope(actor, role=role, scope_prefix=_prefix_of(region)))
    _check_password(password)
    user = User(
        username=username,
        role=role,
        display_name=display_name,
        region=region,
        scope_prefix=_prefix_of(region),
        is_user_admin=is_user_admin and role in {Role.CITY_BUREAU, Role.DISTRICT_BUREAU},
        organization_label=organization_label,
        phone=phone,
    )
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        kind="accounts.user_created",
        target=user,
        payload={
            "role": role,
            "region": region.code if region else "",
            "is_user_admin": user.is_user_admin,
        },
        region_code=region.code if region else "",
    )
    return user


@transaction.atomic
def user_update(
    *,
    actor: Any,
    user: User,
    role: str,
    display_name: str,
    region: Region | None,
    is_user_admin: bool,
    is_active: bool,
    organization_label: str = "",
    phone: str = "",
) -> User:
    """Change a user's role, region or state; the new region must stay inside the actor's."""
    require(can_manage_user(actor, user))
    if role not in Role.values:
        raise ValidationFailed(
            _("用户信息有误"), details={"role": _("未知角色：%(role)s") % {"role": role}}
        )
    if role in REGION_ROLES and region is None:
        raise ValidationFailed(_("用户信息有误"), details={"region": _("该角色必须指定所辖区划")})
    require(can_assign_scope(actor, role=role, scope_prefix=_prefix_of(region)))
    if user.pk == getattr(actor, "pk", None) and not is_active:
        message = _("不能停用自己的账号")
        raise ValidationFailed(message, details={"is_active": message})
    before = {
        "role": user.role,
        "display_name": user.display_name,
        "region": user.region.code if user.region else "",
        "is_user_admin": user.is_user_admin,
        "is_active": user.is_active,
    }
    user.role = role
    user.display_name = display_name
    user.region = region
    user.scope_prefix = _prefix_of(region)
    user.is_user_admin = is_user_admin and role in {Role.CITY_BUREAU, Role.DISTRICT_BUREAU}
    user.is_active = is_active
    user.organization_label = organization_label
    user.phone = phone
    user.save()
    after = {
        "role": user.role,
        "display_name": user.display_name,
        "region": user.region.code if user.region else "",
        "is_user_admin": user.is_user_admin,
        "is_active": user.is_active,
    }
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    audit_record(
        actor=actor,
        kind="accounts.user_updated",
        target=user,
        payload={"changes": changes},
        region_code=user.region.code if user.region else "",
    )
    return user


@transaction.atomic
def user_set_password(*, actor: Any, user: User, password: str) -> User:
    """An administrator resets the password of a user in their region."""
    require(can_manage_user(actor, user))
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, kind="accounts.password_reset", target=user, payload={})
    return user


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: Any, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue a token for the user (themselves, or by their administrator); returns the raw key once."""
    if user.pk != getattr(actor, "pk", None):
        require(can_manage_user(actor, user))
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写令牌名称"), details={"name": _("必填")})
    raw = "npo_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], key_prefix=raw[4:12], key_hash=_hash_token(raw)
    )
    audit_record(
        actor=actor,
        kind="accounts.api_token_created",
        target=token,
        payload={"user": user.username},
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke a token; it stops working at once."""
    if token.user_id != getattr(actor, "pk", None):
        require(can_manage_user(actor, token.user))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, kind="accounts.api_token_revoked", target=token, payload={})
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user owning this raw token, or None. Records the time of use."""
    if not raw or not raw.startswith("npo_"):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
