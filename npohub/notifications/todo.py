"""Unread notifications, for the home page (see ``npohub.core.todo``)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from npohub.accounts.models import Viewer
from npohub.core.todo import TodoItem, register

from .selectors import unread_count


def unread_notifications(user: Viewer, today: dt.date) -> list[TodoItem]:
    n = unread_count(user)
    url = f"{reverse('notifications:notification-list')}?unread=1"
    return [TodoItem.make("notifications.unread", _("未读通知"), n, url, None, today)]


register("notifications", unread_notifications)
