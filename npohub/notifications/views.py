"""The signed-in user's inbox, its unread badge, and their notification preferences."""

from __future__ import annotations

import json
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from npohub.accounts.models import User
from npohub.core.http import attempt
from npohub.core.redirects import is_safe_url

from .forms import PreferencesForm
from .models import Notification
from .selectors import (
    notification_get_for,
    notifications_for,
    preference_rows_for,
    unread_count,
)
from .services import notification_mark_read, preferences_update

PAGE_SIZE = 20
# Sent with every change so the top-bar badge reloads itself (see templates/base.html).
CHANGED = json.dumps({"notifications-changed": True})


def _user(request: HttpRequest) -> User:
    """The signed-in user of a ``login_required`` view."""
    return cast(User, request.user)


def _list_context(request: HttpRequest, unread_only: bool, page: Any = None) -> dict[str, Any]:
    user = _user(request)
    items = notifications_for(user, unread_only=unread_only).select_related("actor")
    return {
        "page_obj": Paginator(items, PAGE_SIZE).get_page(page),
        "unread_only": unread_only,
        "unread": unread_count(user),
    }


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """The user's own notifications, unread first; htmx requests get only the list."""
    context = _list_context(request, request.GET.get("unread") == "1", request.GET.get("page"))
    partial = request.htmx  # type: ignore[attr-defined]
    template = (
        "notifications/partials/notification_list.html"
        if partial
        else "notifications/notification_list.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of the user's notifications read; ``open`` then follows its link."""
    user = _user(request)
    notification = notification_get_for(user, pk)
    notification_mark_read(actor=user, notification_ids=[notification.pk])
    notification.refresh_from_db(fields=["read_at"])
    if request.POST.get("open") and _is_safe(request, notification):
        return redirect(notification.url)
    if request.htmx:  # type: ignore[attr-defined]
        response = render(
            request, "notifications/partials/notification_row.html", {"n": notification}
        )
        response["HX-Trigger"] = CHANGED
        return response
    return redirect("notifications:notification-list")


def _is_safe(request: HttpRequest, notification: Notification) -> bool:
    return is_safe_url(request, notification.url)


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    """Mark every unread notification of the user read."""
    count = notification_mark_read(actor=_user(request), mark_all=True)
    messages.success(request, _("已将 %(count)s 条通知标为已读") % {"count": count})
    if request.htmx:  # type: ignore[attr-defined]
        context = _list_context(request, request.POST.get("unread") == "1")
        response = render(request, "notifications/partials/notification_list.html", context)
        response["HX-Trigger"] = CHANGED
        return response
    return redirect("notifications:notification-list")


@login_required
@require_GET
@never_cache
def unread_badge(request: HttpRequest) -> HttpResponse:
    """The top-bar link with the unread count, loaded by htmx after the page itself."""
    return render(
        request, "notifications/partials/unread_badge.html", {"count": unread_count(_user(request))}
    )


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """One channel per registered kind: in-platform only, e-mail, daily digest or muted."""
    user = _user(request)
    form = PreferencesForm(request.POST or None, rows=preference_rows_for(user))
    if request.method == "POST" and form.is_valid():
        changes = attempt(
            request,
            lambda: preferences_update(actor=user, channels=form.chosen_channels()),
            form=form,
        )
        if changes is not None:
            if changes:
                messages.success(request, _("通知设置已保存"))
            else:
                messages.info(request, _("通知设置没有变化"))
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
