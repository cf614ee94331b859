"""Writes on users and API tokens. Each takes the acting user and records an audit event."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from npohub.core.audit import audit_record
from npohub.core.errors import Conflict, DomainError, ValidationFailed
from npohub.core.permissions import require
from npohub.regions.models import Region

from . import two_factor
from .models import REGION_ROLES, ApiToken, RecoveryCode, RecoveryCodeDevice, Role, TokenScope, User
from .permissions import (
    can_assign_scope,
    can_change_own_password,
    can_disable_second_factor,
    can_enrol_second_factor,
    can_manage_user,
    can_manage_users,
    can_use_own_second_factor,
)


class AuthenticationFailed(DomainError):
    """A bearer token that is unknown, revoked or expired (the API answers 401)."""

    code = "authentication_required"
    http_status = 401


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
    actor: User,
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
    # Validated against the new user itself, so a password like the user name, 姓名 or phone
    # number is refused.
    _check_password(password, user)
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
    actor: User,
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
    if user.pk == actor.pk and not is_active:
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
def user_set_password(*, actor: User, user: User, password: str) -> User:
    """An administrator resets the password of a user in their region."""
    require(can_manage_user(actor, user))
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, kind="accounts.password_reset", target=user, payload={})
    return user


@transaction.atomic
def password_change(*, actor: User, current_password: str, new_password: str) -> User:
    """A signed-in user changes their own password (the current one is asked again)."""
    require(can_change_own_password(actor))
    if not actor.check_password(current_password or ""):
        message = _("当前密码不正确")
        raise ValidationFailed(message, details={"current_password": message})
    if new_password == current_password:
        message = _("新密码不能与当前密码相同")
        raise ValidationFailed(message, details={"password": message})
    _check_password(new_password, actor)
    actor.set_password(new_password)
    actor.save(update_fields=["password"])
    audit_record(actor=actor, kind="accounts.password_changed", target=actor, payload={})
    return actor


# --- API tokens ------------------------------------------------------------------------------


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _token_days(expires_in_days: int | None) -> int:
    limit = int(settings.API_TOKEN_MAX_DAYS)
    days = settings.API_TOKEN_DEFAULT_DAYS if expires_in_days is None else expires_in_days
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= limit:
        message = _("有效期应为 1 至 %(max)s 天") % {"max": limit}
        raise ValidationFailed(message, details={"expires_in_days": message})
    return int(days)


@transaction.atomic
def api_token_create(
    *,
    actor: User,
    user: User,
    name: str,
    scope: str = TokenScope.READ_WRITE,
    expires_in_days: int | None = None,
) -> tuple[ApiToken, str]:
    """Issue a token for the user (themselves, or by their administrator); returns the raw key
    once. It expires after ``expires_in_days`` (default ``API_TOKEN_DEFAULT_DAYS``, at most
    ``API_TOKEN_MAX_DAYS``). The pages and the API offer read-only first."""
    if user.pk != actor.pk:
        require(can_manage_user(actor, user))
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写令牌名称"), details={"name": _("必填")})
    if len(name) > 100:
        message = _("令牌名称不能超过 100 个字")
        raise ValidationFailed(message, details={"name": message})
    if scope not in TokenScope.values:
        message = _("未知的令牌权限：%(scope)s") % {"scope": scope}
        raise ValidationFailed(message, details={"scope": message})
    days = _token_days(expires_in_days)
    raw = "npo_" + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_prefix=raw[4:12],
        key_hash=_hash_token(raw),
        scope=scope,
        expires_at=now + dt.timedelta(days=days),
    )
    audit_record(
        actor=actor,
        kind="accounts.api_token_created",
        target=token,
        payload={"user": user.username, "scope": scope, "days": days},
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token; it stops working at once."""
    if token.user_id != actor.pk:
        require(can_manage_user(actor, token.user))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, kind="accounts.api_token_revoked", target=token, payload={})
    return token


def api_token_check(raw: str) -> ApiToken:
    """The usable token with this raw key (its user loaded), or AuthenticationFailed saying
    why: unknown, revoked, expired, or its user disabled. Records the time of use."""
    token = None
    if raw and raw.startswith("npo_"):
        token = ApiToken.objects.select_related("user").filter(key_hash=_hash_token(raw)).first()
    if token is None or not token.user.is_active:
        raise AuthenticationFailed(_("令牌无效"))
    if token.revoked_at is not None:
        raise AuthenticationFailed(_("令牌已吊销"))
    now = timezone.now()
    if token.expires_at <= now:
        raise AuthenticationFailed(_("令牌已过期，请在“我的账号”中创建新令牌"))
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user owning this usable raw token, or None."""
    try:
        return api_token_check(raw).user
    except AuthenticationFailed:
        return None


# --- second factor (TOTP) ------------------------------------------------------------------


def _replace_recovery_codes(user: User) -> list[str]:
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name=_("恢复码"), confirmed=True)
    codes = two_factor.new_recovery_codes()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, code_hash=two_factor.recovery_code_hash(code)) for code in codes
    )
    return codes


def _totp_step(secret: str, code: str) -> int | None:
    """The time step at which ``code`` is right for ``secret`` (±1 step), else None."""
    digits = "".join((code or "").split())
    if not (digits.isdigit() and len(digits) == 6):
        return None
    try:
        key = bytes.fromhex(secret)
    except ValueError:
        return None
    totp = TOTP(key)
    if not totp.verify(int(digits), tolerance=1):
        return None
    return int(totp.t())


@transaction.atomic
def otp_enrol(
    *, actor: User, secret: str, code: str, session_verified: bool
) -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator app that shows ``code`` for ``secret`` and issue 10 recovery
    codes (returned once; only their hashes are kept). Replaces an earlier authenticator, which
    needs a session already verified with it."""
    require(can_enrol_second_factor(actor, session_verified=session_verified))
    step = _totp_step(secret, code)
    if step is None:
        message = _("验证码不正确或已过期，请输入身份验证器当前显示的 6 位数字")
        raise ValidationFailed(message, details={"code": message})
    replaced = TOTPDevice.objects.filter(user=actor).delete()[0] > 0
    device = TOTPDevice.objects.create(
        user=actor, key=secret, name=_("身份验证器"), confirmed=True, last_t=step
    )
    codes = _replace_recovery_codes(actor)
    audit_record(
        actor=actor, kind="accounts.otp_enrolled", target=actor, payload={"replaced": replaced}
    )
    return device, codes


@transaction.atomic
def _otp_try(user: User, code: str) -> tuple[Device | None, dt.datetime | None]:
    """Check ``code`` against the user's authenticator (6 digits) or recovery codes; failures
    are counted on the device (django-otp's back-off) and kept, so nothing here raises."""
    device: Device | None
    if two_factor.looks_like_totp(code):
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        token = "".join(code.split())
    else:
        device = RecoveryCodeDevice.objects.select_for_update().filter(user=user).first()
        token = code
    if device is None:
        return None, None
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return None, (details or {}).get("locked_until")
    if not device.verify_token(token):
        return None, None
    if isinstance(device, RecoveryCodeDevice):
        audit_record(
            actor=user,
            kind="accounts.otp_recovery_code_used",
            target=user,
            payload={"left": device.codes.count()},
        )
    return device, None


def otp_verify(*, actor: User, code: str) -> Device:
    """The device that accepts ``code`` (a 6-digit TOTP code or a recovery code), or
    ValidationFailed. A recovery code works once."""
    require(can_use_own_second_factor(actor))
    device, locked_until = _otp_try(actor, (code or "").strip())
    if device is not None:
        return device
    if locked_until is not None:
        seconds = max(int((locked_until - timezone.now()).total_seconds()) + 1, 1)
        message = _("尝试次数过多，请在 %(seconds)s 秒后再试") % {"seconds": seconds}
    else:
        message = _("验证码不正确或已过期")
    raise ValidationFailed(message, code="otp_invalid", details={"code": message})


@transaction.atomic
def otp_recovery_codes_regenerate(*, actor: User) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    require(can_use_own_second_factor(actor))
    if not two_factor.has_second_factor(actor):
        message = _("请先设置身份验证器")
        raise ValidationFailed(message, details={"code": message})
    codes = _replace_recovery_codes(actor)
    audit_record(actor=actor, kind="accounts.otp_recovery_codes_regenerated", target=actor)
    return codes


@transaction.atomic
def otp_disable(*, actor: User, password: str) -> User:
    """Turn off one's own second factor (roles that require it may not)."""
    require(can_disable_second_factor(actor))
    if not actor.check_password(password or ""):
        message = _("密码不正确")
        raise ValidationFailed(message, details={"password": message})
    TOTPDevice.objects.filter(user=actor).delete()
    RecoveryCodeDevice.objects.filter(user=actor).delete()
    audit_record(actor=actor, kind="accounts.otp_disabled", target=actor)
    return actor


@transaction.atomic
def otp_reset(*, actor: User, user: User) -> User:
    """An administrator clears a user's authenticator and recovery codes (a lost phone); the
    user sets up a new one at the next sign-in."""
    require(can_manage_user(actor, user))
    had = TOTPDevice.objects.filter(user=user).delete()[0] > 0
    RecoveryCodeDevice.objects.filter(user=user).delete()
    audit_record(
        actor=actor,
        kind="accounts.otp_reset",
        target=user,
        payload={"had_authenticator": had},
        region_code=user.region.code if user.region else "",
    )
    return user
