"""Shared kernel models: timestamps and the audit trail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class StoredDocument(models.Model):
    """What every uploaded document keeps beside its file (registration materials, annual-report
    attachments): the checked name, type, size and hash, and when it came. Filled and stored
    by ``core.uploads.store_document``; the concrete model adds its owner, ``kind`` (its own
    choices), ``file`` (its own folder) and ``uploaded_by``."""

    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"))
    # Declared by each concrete model (its own folder, its own reverse name on the user).
    file: Any
    uploaded_by: Any

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name


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


class ExportState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    SENT = "sent", _("已直接下载")
    FAILED = "failed", _("失败")
    EXPIRED = "expired", _("已过期")


class ExportJob(models.Model):
    """One export of a list (core.export_jobs): who exported which list with which filters.

    Small exports are answered at once (state "sent", no file kept); large ones are written by
    a background task into ``file``, downloadable by their owner only until ``expires_at``,
    then swept (file deleted, state "expired"). The row itself stays as the record of the
    export.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导出人"),
        on_delete=models.PROTECT,
        related_name="export_jobs",
    )
    definition = models.CharField(_("列表"), max_length=64)
    title = models.CharField(_("名称"), max_length=100)
    filters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    format = models.CharField(_("格式"), max_length=8)
    state = models.CharField(
        _("状态"), max_length=16, choices=ExportState.choices, default=ExportState.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    file = models.FileField(_("文件"), upload_to="exports/%Y/%m/", blank=True, max_length=255)
    filename = models.CharField(_("文件名"), max_length=200, blank=True, default="")
    message = models.TextField(_("说明"), blank=True, default="")
    task_id = models.CharField(_("任务标识"), max_length=64, blank=True, default="")
    worker = models.CharField(_("执行进程"), max_length=200, blank=True, default="")
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "created_at"], name="export_owner_time_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.format})"

    @property
    def percent(self) -> int:
        if self.state in (ExportState.DONE, ExportState.SENT, ExportState.EXPIRED):
            return 100
        if not self.total_rows:
            return 0
        return min(99, self.processed_rows * 100 // self.total_rows)

    @property
    def running(self) -> bool:
        return self.state in (ExportState.QUEUED, ExportState.RUNNING)
