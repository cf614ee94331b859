"""/api/v1/notifications/: the caller's own notifications and preferences. Thin: selector or
one service, render."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from npohub.accounts.models import User
from npohub.notifications.models import Channel, Notification
from npohub.notifications.selectors import notifications_for, preference_rows_for, unread_count
from npohub.notifications.services import notification_mark_read, preferences_update

from ..orgs.schemas import ErrorOut
from ..pagination import Page, PageParams, paginate
from ..request import api_user
from .schemas import (
    MarkReadIn,
    MarkReadOut,
    NotificationFilterIn,
    NotificationOut,
    PreferencesIn,
    PreferencesOut,
)

router = Router(tags=["notifications"])

ERRORS: dict[int, Any] = dict.fromkeys((401, 403, 404, 422), ErrorOut)


def notification_of(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "kind_label": notification.kind_label,
        "title": notification.title,
        "body": notification.body,
        "url": notification.url,
        "created_at": notification.created_at,
        "read_at": notification.read_at,
        "is_read": notification.is_read,
        "actor": str(notification.actor) if notification.actor else None,
    }


def preferences_of(user: User) -> dict[str, Any]:
    return {
        "channels": [{"value": value, "label": str(label)} for value, label in Channel.choices],
        "preferences": [
            {
                "kind": row.kind,
                "label": str(row.label),
                "category": row.category,
                "channel": row.channel,
                "default_channel": row.default_channel,
                "is_default": row.is_default,
            }
            for row in preference_rows_for(user)
        ],
    }


@router.get("/", response={200: Page[NotificationOut], **ERRORS}, operation_id="notifications_list")
def notification_list(
    request: HttpRequest, filters: Query[NotificationFilterIn], page: Query[PageParams]
) -> dict[str, Any]:
    """The caller's own notifications, unread first (``unread=true``: only unread)."""
    qs = notifications_for(api_user(request), unread_only=filters.unread).select_related("actor")
    return paginate(request, qs, page, render=notification_of)


@router.post("/read", response={200: MarkReadOut, **ERRORS}, operation_id="notifications_mark_read")
def notification_mark_read_endpoint(request: HttpRequest, payload: MarkReadIn) -> dict[str, int]:
    """Mark the listed notifications read, or all of them; another user's id is a 404."""
    user = api_user(request)
    updated = notification_mark_read(actor=user, notification_ids=payload.ids, mark_all=payload.all)
    return {"updated": updated, "unread": unread_count(user)}


@router.get(
    "/preferences",
    response={200: PreferencesOut, **ERRORS},
    operation_id="notifications_preferences",
)
def notification_preferences(request: HttpRequest) -> dict[str, Any]:
    """Every registered kind with the caller's channel (the kind's default until they choose)."""
    return preferences_of(api_user(request))


@router.put(
    "/preferences",
    response={200: PreferencesOut, **ERRORS},
    operation_id="notifications_preferences_update",
)
def notification_preferences_update(request: HttpRequest, payload: PreferencesIn) -> dict[str, Any]:
    """Set the channel of the listed kinds; an unknown kind or channel is a 422, nothing stored."""
    user = api_user(request)
    preferences_update(actor=user, channels=payload.preferences)
    return preferences_of(user)
