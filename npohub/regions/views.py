"""Browsing the division tree, correcting urban/rural flags, and the region picker fragment."""

from __future__ import annotations

import json
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from npohub.accounts.models import User, Viewer
from npohub.core.http import attempt

from .codes import is_valid, pad, parent_code, prefix_of
from .forms import PickerQuery, UrbanRuralCorrectionForm, cascade_levels, deepest_region
from .models import Level, Region
from .permissions import can_correct_urban_rural
from .selectors import SEARCH_LIMIT, region_children, region_get, region_path, region_search
from .services import region_correct_urban_rural

REGIONS_PER_PAGE = 100
PICKER_LIMIT = 60


def _row(user: Viewer, region: Region) -> dict[str, Any]:
    return {"region": region, "can_correct": bool(can_correct_urban_rural(user, region))}


@login_required
@require_GET
def region_list(request: HttpRequest) -> HttpResponse:
    """Browse the tree one level at a time, or search names inside the current subtree."""
    user = cast(User, request.user)
    parent = region_get(request.GET["parent"]) if request.GET.get("parent") else None
    if parent is None and "parent" not in request.GET and user.region_id:
        # Staff start at their own region; "全国" in the breadcrumb still leads to the top.
        parent = user.region
    q = request.GET.get("q", "").strip()[:50]
    if q:
        regions = region_search(q, within=parent.prefix if parent else "")
    else:
        regions = region_children(parent.code if parent else None)
    page = Paginator(regions, REGIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "parent": parent,
        "path": region_path(parent.code) if parent else [],
        "q": q,
        "page_obj": page,
        "rows": [_row(user, region) for region in page],
        "correction_form": UrbanRuralCorrectionForm(),
    }
    return render(request, "regions/region_list.html", context)


@login_required
@require_POST
def urban_rural_correct(request: HttpRequest, code: str) -> HttpResponse:
    """Bureau staff set a community's urban/rural flag; the row (htmx) or the list comes back."""
    user = cast(User, request.user)
    region = region_get(code)
    form = UrbanRuralCorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择城镇或乡村"))
    else:
        corrected = attempt(
            request,
            lambda: region_correct_urban_rural(
                actor=user, region=region, urban_rural=form.cleaned_data["urban_rural"]
            ),
        )
        if corrected is not None:
            messages.success(
                request,
                _("已将“%(name)s”更正为%(flag)s")
                % {"name": corrected.name, "flag": corrected.get_urban_rural_display()},
            )
    if getattr(request, "htmx", False):
        region.refresh_from_db()
        context = {"row": _row(user, region), "correction_form": form}
        return render(request, "regions/partials/region_row.html", context)
    parent = parent_code(region.code)
    return redirect(f"{reverse('regions:region-list')}?parent={parent or ''}")


@login_required
@require_GET
def picker(request: HttpRequest) -> HttpResponse:
    """The picker fragment: choose (``select``), list children of ``parent``, or search ``q``."""
    query = PickerQuery(request.GET)
    if not query.is_valid():
        return HttpResponseBadRequest(_("参数有误"))
    params = {key: value or "" for key, value in query.cleaned_data.items()}
    params["target"] = params["target"] or "region"
    root = pad(params["root"]) if params["root"] else ""
    if "select" in request.GET:
        return _picker_selected(request, params, root)
    parent = _picker_parent(params, root)
    within = prefix_of(parent) if parent else ""
    if params["q"]:
        regions = list(region_search(params["q"], within=within)[:SEARCH_LIMIT])
    else:
        regions = list(region_children(parent or None)[:PICKER_LIMIT])
    root_prefix = prefix_of(root) if root else ""
    path = [r for r in region_path(parent) if r.code.startswith(root_prefix)] if parent else []
    context = {
        **params,
        "root": root,
        "parent": parent,
        "path": path,
        "regions": regions,
        "truncated": len(regions) >= (SEARCH_LIMIT if params["q"] else PICKER_LIMIT),
        "village_level": Level.VILLAGE,
    }
    part = "list" if request.GET.get("list") else "options"
    return render(request, f"regions/partials/region_picker_{part}.html", context)


def _picker_parent(params: dict[str, str], root: str) -> str:
    """The unit whose children to show: asked-for parent, else the current value's parent."""
    if params["parent"]:
        parent = pad(params["parent"])
    elif params["current"]:
        parent = parent_code(params["current"]) or ""
    else:
        parent = root
    if root and not parent.startswith(prefix_of(root)):
        parent = root
    return parent


def _picker_selected(request: HttpRequest, params: dict[str, str], root: str) -> HttpResponse:
    region = region_get(params["select"]) if params["select"] else None
    context = {
        "field": params["target"],
        "code": region.code if region else "",
        "name": region.name if region else "",
        "root": root,
    }
    response = render(request, "regions/components/region_picker.html", context)
    # Also a per-field event, so a form listens for one picker without an htmx event filter
    # ("region-selected[detail.field=='x']" needs eval, which the CSP forbids).
    detail = {"field": context["field"], "code": context["code"]}
    response["HX-Trigger"] = json.dumps(
        {"region-selected": detail, f"region-selected-{context['field']}": detail}
    )
    return response


@login_required
@require_GET
def cascade(request: HttpRequest) -> HttpResponse:
    """The next level of a cascading region select: the children of the unit chosen in the
    select named ``field`` (empty when "all" was chosen or the unit has none)."""
    query = PickerQuery({"target": request.GET.get("field", "")})
    if not query.is_valid() or not query.cleaned_data["target"]:
        return HttpResponseBadRequest(_("参数有误"))
    field = query.cleaned_data["target"]
    code = deepest_region(request.GET.getlist(field))
    if code and not is_valid(code):
        return HttpResponseBadRequest(_("参数有误"))
    levels = cascade_levels(region_get(code), "") if code else []
    if not levels:
        return HttpResponse("")
    context = {"field": field, "level": levels[0], "rest": []}
    return render(request, "regions/partials/region_cascade_select.html", context)
