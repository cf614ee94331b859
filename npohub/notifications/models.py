"""In-platform notifications and each user's choice of how to receive each kind."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How a user receives one kind of notification."""

    IN_APP = "in_app", _("仅站内通知")
    EMAIL = "email", _("站内通知并即时发送邮件")
    DIGEST = "digest", _("站内通知并每日汇总邮件")
    MUTED = "muted", _("不接收")


class Notification(models.Model):
    """One message to one user. ``channel`` is the delivery decided when it was created."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("触发人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("类型"), max_length=64)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True, default="")
    url = models.CharField(_("链接"), max_length=500, blank=True, default="")
    channel = models.CharField(
        _("发送方式"), max_length=16, choices=Channel.choices, default=Channel.IN_APP
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    digest_sent_at = models.DateTimeField(_("汇总发送时间"), null=True, blank=True)
    # Callers pass e.g. "application:42:submitted" so a repeat while unread adds nothing.
    dedupe_key = models.CharField(_("去重键"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notif_inbox_idx"),
            models.Index(
                fields=["created_at"],
                condition=models.Q(channel="digest", digest_sent_at__isnull=True),
                name="notif_digest_pending_idx",
            ),
        ]
        constraints = [
            # At most one unread notification per (recipient, kind, key); a race loses quietly.
            models.UniqueConstraint(
                fields=["recipient", "kind", "dedupe_key"],
                condition=models.Q(read_at__isnull=True) & ~models.Q(dedupe_key=""),
                name="notif_unread_dedupe_uniq",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def kind_label(self) -> str:
        from .kinds import kind_label

        return kind_label(self.kind)


class NotificationPreference(models.Model):
    """A user's channel for one kind. No row means the kind's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("类型"), max_length=64)
    channel = models.CharField(_("接收方式"), max_length=16, choices=Channel.choices)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notif_pref_user_kind_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.channel}"
