"""The bureau's overview (kind × state counts), the application list and the deadline board."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ..forms import (
    ApplicationFilterForm,
)
from ..permissions import (
    is_bureau_user,
    sees_applications,
    sees_deadlines,
    startable_kinds,
)
from ..selectors import (
    application_counts_for,
    application_list_for,
    deadline_board_for,
)
from ..workflows import (
    FINAL_STATES,
    KIND_LABELS,
    STATE_LABELS,
    S,
    state_label,
)
from .common import PAGE_SIZE, _annotate_clock, _htmx, _render

# ---------------------------------------------------------------------------------------------
# Overview, list, deadlines


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """The bureau's applications in scope, counted per kind × state (one aggregate query)."""
    if not is_bureau_user(request.user):
        raise Http404(_("页面不存在"))
    counts = application_counts_for(request.user)
    cells: dict[str, dict[str, int]] = defaultdict(dict)
    used_states: set[str] = set()
    for row in counts:
        cells[row["kind"]][row["state"]] = row["n"]
        used_states.add(row["state"])
    states = [s for s in STATE_LABELS if s in used_states]
    rows = [
        {
            "kind": kind,
            "label": label,
            "cells": [(state, cells[kind].get(state, 0)) for state in states],
            "total": sum(cells[kind].values()),
            "open": sum(n for s, n in cells[kind].items() if s not in FINAL_STATES),
        }
        for kind, label in KIND_LABELS.items()
        if cells.get(kind)
    ]
    totals = [sum(cells[k].get(s, 0) for k in cells) for s in states]
    context: dict[str, Any] = {
        "states": [(s, STATE_LABELS[s]) for s in states],
        "rows": rows,
        "totals": totals,
        "grand_total": sum(totals),
        "open_total": sum(r["open"] for r in rows),
        "waiting": {
            s: sum(cells[k].get(s, 0) for k in cells)
            for s in (S.SUBMITTED, S.REVIEWED, S.IN_REVIEW, S.SUPPLEMENT)
        },
        "tab": "overview",
    }
    return _render(request, "registration/application_overview.html", context)


@login_required
@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    """Applications in the user's scope; htmx requests get only the results table."""
    if not sees_applications(request.user):
        raise Http404(_("页面不存在"))
    form = ApplicationFilterForm(request.GET or None)
    apps = application_list_for(request.user, form.to_filters())
    page = Paginator(apps, PAGE_SIZE).get_page(request.GET.get("page"))
    _annotate_clock(page.object_list, timezone.localdate())
    context: dict[str, Any] = {
        "form": form,
        "page_obj": page,
        "may_create": bool(startable_kinds(request.user)),
        "tab": "list",
    }
    template = (
        "registration/partials/application_table.html"
        if _htmx(request)
        else "registration/application_list.html"
    )
    response = _render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_GET
def deadline_board(request: HttpRequest) -> HttpResponse:
    """Open applications by days left: overdue first, paused (补正) ones at the end."""
    if not sees_deadlines(request.user):
        raise Http404(_("页面不存在"))
    today = timezone.localdate()
    rows = deadline_board_for(request.user, today=today)
    for row in rows:
        shown: Any = row.application  # decorated for the template
        shown.kind_text = KIND_LABELS.get(row.application.kind, "")
        shown.state_text = state_label(row.application.state)
        shown.over = -(row.days_left or 0)
    context: dict[str, Any] = {
        "rows": rows,
        "today": today,
        "overdue": sum(1 for r in rows if not r.paused and (r.days_left or 0) < 0),
        "paused": sum(1 for r in rows if r.paused),
        "tab": "deadlines",
    }
    return _render(request, "registration/deadline_board.html", context)
