"""Users, their role and their scope.

A user's scope is one of: a region (a code prefix), a set of organisations (granted in
``orgs.OrganizationAccess``: own organisation, hub members, supervised units, assigned tasks),
or nothing but public data.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

from npohub.core.params import int_within, lengths_within


class Role(models.TextChoices):
    CITY_BUREAU = "city_bureau", _("市民政局（社会组织管理局）")
    DISTRICT_BUREAU = "district_bureau", _("区县民政局")
    STREET_OFFICER = "street_officer", _("街道/乡镇工作人员")
    COMMUNITY_WORKER = "community_worker", _("社区/村工作人员")
    HUB_STAFF = "hub_staff", _("枢纽型社会组织/联合会工作人员")
    REVIEWER = "reviewer", _("业务主管单位/联审部门")
    ORG_USER = "org_user", _("社会组织用户")
    INSPECTOR = "inspector", _("检查人员")
    EXPERT = "expert", _("评估专家")
    PARTY_OFFICER = "party_officer", _("党建工作人员/指导员")
    RESIDENT = "resident", _("居民")


# Roles whose scope is a region of the hierarchy (the code prefix of ``User.region``).
REGION_ROLES = frozenset(
    {Role.CITY_BUREAU, Role.DISTRICT_BUREAU, Role.STREET_OFFICER, Role.COMMUNITY_WORKER}
)
# Roles whose scope is the organisations granted to them one by one.
GRANT_ROLES = frozenset(
    {Role.HUB_STAFF, Role.REVIEWER, Role.ORG_USER, Role.INSPECTOR, Role.EXPERT, Role.PARTY_OFFICER}
)
BUREAU_ROLES = frozenset({Role.CITY_BUREAU, Role.DISTRICT_BUREAU})
# Roles whose scope the user's region bounds: the region roles, and the party officer, whose
# assigned organisations count only inside its region (``orgs.scope``). Without a region such
# an account would reach the whole platform.
REGION_BOUND_ROLES = REGION_ROLES | {Role.PARTY_OFFICER}


# (django-stubs cannot follow the reverse relation of django-otp's untyped Device base.)
class User(AbstractUser):  # type: ignore[django-manager-missing]
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    display_name = models.CharField(_("姓名"), max_length=100, blank=True, default="")
    phone = models.CharField(_("手机"), max_length=20, blank=True, default="")
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所辖区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    # Denormalised prefix of ``region.code`` so scoping needs no join on every request.
    scope_prefix = models.CharField(_("范围前缀"), max_length=12, blank=True, default="")
    is_user_admin = models.BooleanField(_("可管理本辖区用户"), default=False)
    organization_label = models.CharField(_("所在单位"), max_length=200, blank=True, default="")

    class Meta:
        constraints = [
            *lengths_within(
                "accounts_user",
                password=128,
                username=150,
                first_name=150,
                last_name=150,
                email=254,
                role=32,
                display_name=100,
                phone=20,
                scope_prefix=12,
                organization_label=200,
            ),
        ]
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def has_region_scope(self) -> bool:
        return self.role in REGION_ROLES and bool(self.scope_prefix)

    @property
    def is_bureau(self) -> bool:
        return self.role in BUREAU_ROLES

    @property
    def display_name_pinyin(self) -> str:
        """姓名 in pinyin ("王小明" → "wangxiaoming"): passwords like it are refused too
        (``UserAttributeSimilarityValidator`` reads this attribute)."""
        from pypinyin import Style, lazy_pinyin

        return "".join(lazy_pinyin(self.display_name or "", style=Style.NORMAL, errors="ignore"))


# Whoever makes a request: a signed-in user, or an anonymous visitor (``request.user``).
Viewer = User | AnonymousUser


class TokenScope(models.TextChoices):
    """What an API token may do: read only (GET), or read and write like its owner."""

    READ = "read", _("只读")
    READ_WRITE = "read_write", _("读写")


def api_token_default_expiry() -> dt.datetime:
    """A new token lives ``API_TOKEN_DEFAULT_DAYS`` (90) days unless its owner picks less."""
    return timezone.now() + dt.timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)


class ApiToken(models.Model):
    """A bearer token for machine clients of /api/v1/. Only its hash is stored.

    A token works until ``expires_at`` (at most ``API_TOKEN_MAX_DAYS`` after it was made) or
    until its owner revokes it; a read-only token may only read.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100)
    key_prefix = models.CharField(_("前缀"), max_length=8, db_index=True)
    key_hash = models.CharField(_("哈希"), max_length=64, unique=True)
    scope = models.CharField(
        _("权限"), max_length=16, choices=TokenScope.choices, default=TokenScope.READ
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"), default=api_token_default_expiry)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=TokenScope.values), name="apitoken_scope_known"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="apitoken_expires_after_creation"
            ),
            *lengths_within("accounts_apitoken", name=100, key_prefix=8, key_hash=64, scope=16),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def state_label(self) -> str:
        if self.revoked_at is not None:
            return str(_("已吊销"))
        if self.is_expired:
            return str(_("已过期"))
        return str(_("有效"))


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """The one-time recovery codes of a user's second factor (for a lost phone).

    Like django-otp's static device, but each code is stored only as its SHA-256 hash (the
    codes are 16 random characters, so a hash cannot be reversed by guessing). A code is
    deleted when it is used.
    """

    class Meta(Device.Meta):
        constraints = [
            *lengths_within("accounts_recoverycodedevice", name=64),
            int_within(
                "throttling_failure_count",
                0,
                1000000,
                name="accounts_recoverycodedevice_throttling_failure_count_range",
            ),
        ]
        verbose_name = _("恢复码")
        verbose_name_plural = _("恢复码")

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1))

    def verify_token(self, token: str) -> bool:
        from .two_factor import recovery_code_hash

        allowed, _details = self.verify_is_allowed()
        if not allowed:
            return False
        match = self.codes.filter(code_hash=recovery_code_hash(token)).first()
        if match is None:
            self.throttle_increment()
            return False
        match.delete()
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(_("哈希"), max_length=64, db_index=True)

    class Meta:
        constraints = [
            *lengths_within("accounts_recoverycode", code_hash=64),
        ]
        verbose_name = _("恢复码")
        verbose_name_plural = _("恢复码")

    def __str__(self) -> str:
        return f"{self.code_hash[:8]}…"


class FailedLogin(models.Model):
    """One failed password sign-in, kept for ``LOGIN_SPRAY_WINDOW_MINUTES`` to notice one
    password tried against many accounts from one address (password spraying).

    ``password_digest`` is a keyed HMAC of the password tried (``SECRET_KEY``): equal passwords
    give equal digests, the password itself cannot be read back. Rows older than the window
    are deleted as new ones arrive.
    """

    ip_address = models.GenericIPAddressField(_("来源地址"), db_index=True)
    username = models.CharField(_("用户名"), max_length=150)
    password_digest = models.CharField(_("口令摘要"), max_length=64)
    attempted_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            *lengths_within("accounts_failedlogin", username=150, password_digest=64),
        ]
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")

    def __str__(self) -> str:
        return f"{self.ip_address} {self.username}"
