"""Shared kernel models: timestamps and the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """One row per write: who did what to which object, when, and on whose behalf."""

    occurred_at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    # Free-text label kept even if the user is renamed; "system" for jobs and commands.
    actor_label = models.CharField(_("操作人名称"), max_length=150)
    # Set when a hub, federation or street acts for the bureau ("by X on behalf of Y").
    on_behalf_of = models.CharField(_("代表"), max_length=200, blank=True, default="")
    on_behalf_of_ref = models.CharField(_("代表对象标识"), max_length=64, blank=True, default="")
    kind = models.CharField(_("类型"), max_length=64, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=64)
    target_id = models.CharField(_("对象标识"), max_length=64)
    target_label = models.CharField(_("对象"), max_length=200, blank=True, default="")
    # Denormalised so an organisation's history and the audit log of a region are one index scan.
    organization_id = models.BigIntegerField(_("组织"), null=True, blank=True, db_index=True)
    region_code = models.CharField(_("区划代码"), max_length=12, blank=True, default="")
    payload = models.JSONField(_("内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            models.Index(fields=["region_code", "occurred_at"], name="audit_region_time_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.kind} {self.target_label}"
        )


class WorkflowEvent(models.Model):
    """One move of one workflow record: the history every workflow page and endpoint shows.

    ``workflow`` is the workflow's key (``registration.application``, ``enforcement.case`` …)
    and ``object_id`` the record's id; states and moves are stored as codes and read back as
    labels through the workflow table (``core.workflows.history_for``).
    """

    workflow = models.CharField(_("流程"), max_length=48)
    object_id = models.BigIntegerField(_("对象标识"))
    move = models.CharField(_("操作"), max_length=40)
    from_state = models.CharField(_("原状态"), max_length=32, blank=True, default="")
    to_state = models.CharField(_("新状态"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workflow_events",
    )
    # Kept even if the user is renamed; "system" for moves made by jobs and commands.
    actor_label = models.CharField(_("操作人名称"), max_length=150)
    on_behalf_of = models.CharField(_("代表"), max_length=200, blank=True, default="")
    note = models.TextField(_("说明"), blank=True, default="")
    occurred_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("流程记录")
        verbose_name_plural = _("流程记录")
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(
                fields=["workflow", "object_id", "occurred_at", "id"],
                name="workflow_event_record_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.workflow} {self.object_id}: {self.from_state} → {self.to_state}"
