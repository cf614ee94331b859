"""Reads: every query starts from the signed-in user's own notifications."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, IntegerField, QuerySet, Value, When

from npohub.accounts.models import User, Viewer
from npohub.core.errors import NotFound

from .kinds import Label, all_kinds
from .models import Channel, Notification, NotificationPreference
from .permissions import can_use_notifications


def notifications_for(user: Viewer, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own notifications, unread first, newest first within each group."""
    if not can_use_notifications(user):
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient_id=user.pk)
    if unread_only:
        return qs.filter(read_at__isnull=True).order_by("-created_at", "-id")
    unread_first = Case(
        When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return qs.order_by(unread_first, "-created_at", "-id")


def unread_count(user: Viewer) -> int:
    """How many of the user's notifications are unread (one indexed COUNT)."""
    if not can_use_notifications(user):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def notification_get_for(user: Viewer, pk: int) -> Notification:
    """One of the user's own notifications, or NotFound (missing and another's look the same)."""
    notification = notifications_for(user).filter(pk=pk).first()
    if notification is None:
        raise NotFound("通知不存在")
    return notification


def channels_for(user: Viewer, kinds: list[str]) -> dict[str, str]:
    """The stored channel of each of ``kinds`` for the user (kinds left at default are absent)."""
    if not isinstance(user, User) or not can_use_notifications(user) or not kinds:
        return {}
    rows = NotificationPreference.objects.filter(user=user, kind__in=kinds)
    return dict(rows.values_list("kind", "channel"))


@dataclass(frozen=True)
class PreferenceRow:
    kind: str
    label: Label
    category: str
    channel: str
    default_channel: str

    @property
    def is_default(self) -> bool:
        return self.channel == self.default_channel

    @property
    def channel_label(self) -> str:
        return str(Channel(self.channel).label)


def preference_rows_for(user: Viewer) -> list[PreferenceRow]:
    """One row per registered kind with the user's effective channel (one query)."""
    kinds = all_kinds()
    chosen = channels_for(user, [k.code for k in kinds])
    return [
        PreferenceRow(
            kind=k.code,
            label=k.label,
            category=k.category,
            channel=chosen.get(k.code, k.default_channel),
            default_channel=k.default_channel,
        )
        for k in kinds
    ]
