"""Staff pages of the organisation registry: list (with htmx results), detail, create, edit, status.

Thin: the scoped selector fetches (``NotFound`` → 404 by the middleware), ``organization_view``
says what the user may do and see, ``core.http.attempt`` runs the one service.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from npohub.accounts.models import User
from npohub.core.errors import NotFound
from npohub.core.http import attempt

from . import services
from .forms import (
    OrganizationFilterForm,
    OrganizationForm,
    StatusChangeForm,
    as_of_date,
    category_choices,
)
from .history_display import end_of_day, funds_label, history_rows, snapshot_rows
from .models import Kind
from .permissions import (
    can_change_status,
    can_list_organizations,
    creatable_kinds,
    organization_view,
)
from .selectors import (
    organization_as_of,
    organization_get_for,
    organization_history,
    organization_list_for,
    region_filter_root,
)

PAGE_SIZE = 20
HISTORY_LIMIT = 200


def _user(request: HttpRequest) -> User:
    """The signed-in user of a ``login_required`` view."""
    return cast(User, request.user)


def _missing() -> NotFound:
    return NotFound(_("页面不存在"))


@login_required
@require_GET
def organization_list(request: HttpRequest) -> HttpResponse:
    """The register the user may see; htmx requests get only the results table."""
    user = _user(request)
    if not can_list_organizations(user):
        raise _missing()
    form = OrganizationFilterForm(
        request.GET or None, categories=category_choices(), region_root=region_filter_root(user)
    )
    orgs = organization_list_for(user, form.to_filters())
    page = Paginator(orgs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page_obj": page, "may_create": bool(creatable_kinds(user))}
    partial = request.htmx  # type: ignore[attr-defined]
    template = "orgs/partials/organization_table.html" if partial else "orgs/organization_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_GET
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """All registry fields, officers, history, and the record as it stood on a past day."""
    user = _user(request)
    org = organization_get_for(user, pk)
    view = organization_view(user, org)
    as_of = as_of_date(request.GET.get("as_of", ""))
    tab = "as_of" if as_of else request.GET.get("tab", "info")
    context: dict[str, Any] = {
        "org": org,
        "view": view,
        "tab": tab,
        "funds_label": funds_label(org.kind),
        "show_personal": view.sees_personal_data,
        "may_edit": view.editable,
        "may_change_status": view.may_change_status,
        "today": timezone.localdate(),
        # The download link only when the platform has issued a certificate that is still
        # valid (organisations registered before the platform hold paper ones).
        "has_certificate": org.is_registered
        and not org.is_closed
        and org.certificates.filter(voided_on__isnull=True).exists(),
    }
    if tab == "history":
        changes = list(organization_history(org)[:HISTORY_LIMIT])
        context["history"] = history_rows(org, changes, view)
        context["history_limit"] = HISTORY_LIMIT
    elif tab == "as_of":
        context["as_of"] = as_of
        if as_of:
            values = organization_as_of(org, end_of_day(as_of))
            context["snapshot"] = snapshot_rows(org, values, view) if values is not None else None
    else:
        context["officers"] = list(org.officers.select_related("person"))
    return render(request, "orgs/organization_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organization_create(request: HttpRequest) -> HttpResponse:
    """Add an organisation of the kind chosen by ``?kind=``; without it, choose the kind."""
    user = _user(request)
    kinds = creatable_kinds(user)
    if not kinds:
        raise _missing()
    kind = request.GET.get("kind", "")
    if kind not in dict(kinds):
        return render(request, "orgs/organization_kind_choice.html", {"kinds": kinds})
    form = OrganizationForm(request.POST or None, kind=kind, categories=category_choices())
    if request.method == "POST" and form.is_valid():
        org = attempt(
            request,
            lambda: services.organization_create(actor=user, data=form.to_input()),
            form=form,
        )
        if org is not None:
            messages.success(request, _("已登记“%(name)s”") % {"name": org.name})
            return redirect("orgs:organization-detail", pk=org.pk)
    context = {"form": form, "kind_label": Kind(kind).label, "org": None}
    return render(request, "orgs/organization_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct the registry record; the service keeps every changed field in the history."""
    user = _user(request)
    org = organization_get_for(user, pk)
    view = organization_view(user, org)
    if not view.editable:
        raise _missing()
    form = OrganizationForm(
        request.POST or None,
        kind=org.kind,
        categories=category_choices(),
        show_personal_data=view.sees_personal_data,
        initial=OrganizationForm.initial_for(org, show_personal_data=view.sees_personal_data),
    )
    if request.method == "POST" and form.is_valid():
        data = form.to_input(hidden_phone=org.phone)
        saved = attempt(
            request,
            lambda: services.organization_update(actor=user, org=org, data=data),
            form=form,
            success=_("已保存“%(name)s”的修改") % {"name": data.name},
        )
        if saved is not None:
            return redirect("orgs:organization-detail", pk=org.pk)
    context = {"form": form, "kind_label": org.get_kind_display(), "org": org}
    return render(request, "orgs/organization_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organization_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the organisation along its status lifecycle, with a reason and an effective date."""
    user = _user(request)
    org = organization_get_for(user, pk)
    if not can_change_status(user, org):
        raise _missing()
    form = StatusChangeForm(request.POST or None, current=org.status)
    if request.method == "POST" and form.is_valid():
        changed = attempt(
            request,
            lambda: services.organization_change_status(
                actor=user,
                org=org,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                effective_on=form.cleaned_data["effective_on"],
            ),
            form=form,
        )
        if changed is not None:
            messages.success(
                request, _("状态已变更为“%(status)s”") % {"status": changed.get_status_display()}
            )
            return redirect("orgs:organization-detail", pk=changed.pk)
    return render(request, "orgs/organization_status.html", {"org": org, "form": form})
