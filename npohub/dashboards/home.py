"""The home page (工作台): what is waiting for the signed-in user, most urgent first.

Every role lands here after signing in. The items come from the apps' own ``todo.py``
providers (registered in ``npohub.core.todo``, imported once by ``DashboardsConfig.ready``);
this page only orders, counts and shows them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from npohub.accounts.models import User
from npohub.core.navigation import menu_for
from npohub.core.todo import TodoItem, Urgency, todos_for


@dataclass(frozen=True)
class HomeRow:
    """A to-do item as the page shows it (with the days left, counted from ``today``)."""

    item: TodoItem
    days_left: int | None

    @property
    def days_late(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0

    @property
    def css(self) -> str:
        return {Urgency.OVERDUE: "overdue", Urgency.SOON: "soon"}.get(self.item.urgency, "")


@dataclass(frozen=True)
class Home:
    rows: list[HomeRow]  # work waiting for the user, most urgent first
    following: list[HomeRow]  # things the user follows, waiting on others (Urgency.INFO)
    total: int
    overdue: int
    soon: int
    links: list[dict[str, Any]]


def _links(user: User) -> list[dict[str, Any]]:
    """Where else to go: the user's menu (without this page), and the public site."""
    links = [
        {"label": e["label"], "url": e["url"]}
        for e in menu_for(user)
        if e["name"] != "dashboards:home"
    ]
    links.append({"label": _("公开查询"), "url": reverse("portal:home")})
    return links


def home_for(user: User, *, today: dt.date | None = None) -> Home:
    day = today or timezone.localdate()
    items = todos_for(user, today=day)
    rows = [HomeRow(item, None if item.due is None else (item.due - day).days) for item in items]
    work = [row for row in rows if row.item.urgency != Urgency.INFO]
    return Home(
        rows=work,
        following=[row for row in rows if row.item.urgency == Urgency.INFO],
        total=sum(row.item.count for row in work),
        overdue=sum(1 for row in work if row.item.urgency == Urgency.OVERDUE),
        soon=sum(1 for row in work if row.item.urgency == Urgency.SOON),
        links=_links(user),
    )


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    context = {"home": home_for(cast(User, request.user)), "today": timezone.localdate()}
    return render(request, "dashboards/home.html", context)
