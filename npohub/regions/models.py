"""The administrative hierarchy from the national statistical division codes (统计用区划代码)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    PROVINCE = 1, _("省级")
    CITY = 2, _("地级")
    COUNTY = 3, _("县级")
    TOWNSHIP = 4, _("乡级（街道/镇/乡）")
    VILLAGE = 5, _("村级（社区/村）")


# How many leading digits of the 12-digit code identify a unit at each level.
PREFIX_LENGTH = {
    Level.PROVINCE: 2,
    Level.CITY: 4,
    Level.COUNTY: 6,
    Level.TOWNSHIP: 9,
    Level.VILLAGE: 12,
}


class UrbanRural(models.TextChoices):
    URBAN = "urban", _("城镇")
    RURAL = "rural", _("乡村")
    UNKNOWN = "unknown", _("未知")


class UrbanRuralSource(models.TextChoices):
    OFFICIAL = "official", _("官方城乡分类代码")
    INFERRED = "inferred", _("按居委会/村委会推断")
    CORRECTED = "corrected", _("人工更正")
    NONE = "", _("无")


class RegionQuerySet(models.QuerySet["Region"]):
    def active(self) -> RegionQuerySet:
        return self.filter(is_active=True)

    def within(self, prefix: str) -> RegionQuerySet:
        """Units whose code lies in the subtree identified by ``prefix`` (itself included)."""
        return self.filter(code__startswith=prefix)


class Region(models.Model):
    """One unit of the hierarchy. ``code`` is the 12-digit code, a materialised path."""

    code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("级别"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    urban_rural = models.CharField(
        _("城乡属性"), max_length=8, choices=UrbanRural.choices, default=UrbanRural.UNKNOWN
    )
    urban_rural_source = models.CharField(
        _("城乡属性来源"), max_length=10, choices=UrbanRuralSource.choices, blank=True, default=""
    )
    urban_rural_code = models.CharField(_("城乡分类代码"), max_length=3, blank=True, default="")
    is_active = models.BooleanField(_("有效"), default=True)
    inactive_since = models.DateField(_("撤销日期"), null=True, blank=True)
    first_year = models.PositiveSmallIntegerField(_("首次出现年份"), null=True, blank=True)
    last_year = models.PositiveSmallIntegerField(_("最近出现年份"), null=True, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_active=True), name="region_active_code_unique"
            ),
        ]
        indexes = [models.Index(fields=["parent", "name"], name="region_parent_name_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        """The significant leading digits: every unit below this one starts with them."""
        return self.code[: PREFIX_LENGTH[Level(self.level)]]

    @property
    def is_urban(self) -> bool:
        return self.urban_rural == UrbanRural.URBAN

    @property
    def needs_urban_rural_check(self) -> bool:
        return self.urban_rural_source == UrbanRuralSource.INFERRED


class RegionImport(models.Model):
    """Provenance of one import of a division file."""

    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=300)
    layout = models.CharField(_("格式"), max_length=20)
    year = models.PositiveSmallIntegerField(_("年份"))
    effective_date = models.DateField(_("生效日期"))
    scope_prefix = models.CharField(_("范围前缀"), max_length=12, blank=True, default="")
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    deactivated = models.PositiveIntegerField(_("撤销"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)

    class Meta:
        verbose_name = _("区划导入")
        verbose_name_plural = _("区划导入")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.year} {self.source}"
