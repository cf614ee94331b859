"""Who may read and manage notifications: every signed-in user, and only their own."""

from __future__ import annotations

from django.utils.translation import gettext as _

from npohub.accounts.models import Viewer
from npohub.core.permissions import ALLOW, Decision, deny, is_signed_in

from .models import Notification


def can_use_notifications(user: Viewer) -> Decision:
    """Any active signed-in user has an inbox and preferences of their own."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    return ALLOW


def can_manage_notification(user: Viewer, notification: Notification) -> Decision:
    """A notification belongs to its recipient alone (not even a superuser reads another's)."""
    decision = can_use_notifications(user)
    if not decision:
        return decision
    if notification.recipient_id != user.pk:
        return deny(_("这不是您的通知"))
    return ALLOW
