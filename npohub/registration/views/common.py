"""Helpers every registration page shares: the tabs, the page frame, the scoped fetch of an
application, the statutory-clock decoration of list rows and the htmx test.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from npohub.orgs.models import (
    Kind,
)

from ..models import Application
from ..permissions import (
    is_bureau_user,
    is_reviewer,
    sees_applications,
    sees_deadlines,
)
from ..selectors import (
    application_get_for,
)
from ..workflows import (
    CLOCK_STATES,
    KIND_LABELS,
    S,
    state_label,
)

PAGE_SIZE = 20
ORG_CHOICES_LIMIT = 20


# ---------------------------------------------------------------------------------------------
# Who sees which page (the menu and the pages agree; the services decide every action)


def tabs_for(user: Any) -> list[tuple[str, str, str]]:
    """The registration pages' tabs the user may open: (key, label, url)."""
    tabs = []
    if is_bureau_user(user):
        tabs.append(("overview", _("概览"), reverse("registration:overview")))
    if sees_applications(user):
        tabs.append(("list", _("申请列表"), reverse("registration:application-list")))
    if sees_deadlines(user):
        tabs.append(("deadlines", _("办理时限"), reverse("registration:deadline-board")))
    if is_reviewer(user):
        tabs.append(("reviews", _("联审任务"), reverse("registration:review-list")))
    return tabs


# ---------------------------------------------------------------------------------------------
# Shared helpers


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, template, {"reg_tabs": tabs_for(request.user), **context})


def _visible(request: HttpRequest, pk: int) -> Application:
    return application_get_for(request.user, pk)  # NotFound → 404 (core.http)


def _running(app: Application) -> bool:
    """Does the statutory clock run (or stand paused) for this application now?"""
    if app.accepted_on is None:
        return False
    if app.state in CLOCK_STATES:
        return True
    return app.kind == "filing" and app.state in (S.SUBMITTED, S.COMMUNITY_CHECKED)


def _annotate_clock(apps: Any, today: dt.date) -> None:
    for app in apps:
        app.left = app.days_left(today) if _running(app) else None
        app.over = -app.left if app.left is not None and app.left < 0 else 0
        app.paused = app.clock_paused and _running(app)
        app.state_text = state_label(app.state)
        app.kind_text = KIND_LABELS.get(app.kind, app.kind)


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _org_kind_label(org_kind: str) -> str:
    return str(dict(Kind.choices).get(org_kind, org_kind))
