"""Users, their role and their scope.

A user's scope is one of: a region (a code prefix), a set of organisations (granted in
``orgs.OrganizationAccess``: own organisation, hub members, supervised units, assigned tasks),
or nothing but public data.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


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


class User(AbstractUser):
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


class ApiToken(models.Model):
    """A bearer token for machine clients of /api/v1/. Only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100)
    key_prefix = models.CharField(_("前缀"), max_length=8, db_index=True)
    key_hash = models.CharField(_("哈希"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"
