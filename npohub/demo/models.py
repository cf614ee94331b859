"""The marker of a loaded demo data set: what was generated, from which seed, and which rows."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoLoad(models.Model):
    """One run of ``load_demo``. Its presence makes the command idempotent; its id ranges let
    ``--force`` remove exactly the generated rows."""

    size = models.CharField(_("规模"), max_length=12)
    seed = models.IntegerField(_("随机种子"))
    scale = models.FloatField(_("比例"), default=1.0)
    scope_prefix = models.CharField(_("范围前缀"), max_length=12, blank=True, default="")
    registered = models.PositiveIntegerField(_("登记组织数（含已注销）"), default=0)
    filed = models.PositiveIntegerField(_("备案组织数（含已注销）"), default=0)
    persons = models.PositiveIntegerField(_("人员数"), default=0)
    org_id_min = models.BigIntegerField(null=True, blank=True)
    org_id_max = models.BigIntegerField(null=True, blank=True)
    person_id_min = models.BigIntegerField(null=True, blank=True)
    person_id_max = models.BigIntegerField(null=True, blank=True)
    # SHA-256 over the generated rows (names, codes, ID numbers): same seed, same digest.
    digest = models.CharField(_("摘要"), max_length=64, blank=True, default="")
    seconds = models.FloatField(_("耗时（秒）"), default=0)
    loaded_at = models.DateTimeField(_("加载时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("演示数据")
        verbose_name_plural = _("演示数据")
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return f"demo {self.size} seed={self.seed} scale={self.scale:g}"
