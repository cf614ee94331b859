"""Staff pages of the organisation registry: list (with htmx results), detail, create, edit, status."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from npohub.core.errors import DomainError, NotFound

from . import services
from .forms import (
    OrganizationFilterForm,
    OrganizationForm,
    StatusChangeForm,
    apply_service_errors,
    as_of_date,
    category_choices,
)
from .history_display import end_of_day, funds_label, history_rows, snapshot_rows
from .models import (
    STATUS_TRANSITIONS,
    Kind,
    Organization,
)
from .permissions import (
    can_change_status,
    can_create_organization,
    can_edit_organization,
    can_list_organizations,
    can_see_personal_data,
)
from .selectors import (
    organization_as_of,
    organization_get_for,
    organization_history,
    organization_list_for,
)

PAGE_SIZE = 20
HISTORY_LIMIT = 200


def _visible_org(request: HttpRequest, pk: int) -> Organization:
    try:
        return organization_get_for(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def creatable_kinds(user: Any) -> list[tuple[str, str]]:
    """Kinds this user may add somewhere in their own region (for the 新增组织 button)."""
    prefix = getattr(user, "scope_prefix", "") or ""
    return [
        (value, label)
        for value, label in Kind.choices
        if can_create_organization(user, kind=value, address_code=prefix)
    ]


@login_required
@require_GET
def organization_list(request: HttpRequest) -> HttpResponse:
    """The register the user may see; htmx requests get only the results table."""
    if not can_list_organizations(request.user):
        raise Http404(_("页面不存在"))
    form = OrganizationFilterForm(request.GET or None, categories=category_choices())
    orgs = organization_list_for(request.user, form.to_filters())
    page = Paginator(orgs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page_obj": page, "may_create": bool(creatable_kinds(request.user))}
    partial = request.htmx  # type: ignore[attr-defined]
    template = "orgs/partials/organization_table.html" if partial else "orgs/organization_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_GET
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """All registry fields, officers, history, and the record as it stood on a past day."""
    org = _visible_org(request, pk)
    as_of = as_of_date(request.GET.get("as_of", ""))
    tab = "as_of" if as_of else request.GET.get("tab", "info")
    context: dict[str, Any] = {
        "org": org,
        "tab": tab,
        "funds_label": funds_label(org.kind),
        "show_personal": bool(can_see_personal_data(request.user, org)),
        "may_edit": bool(can_edit_organization(request.user, org)),
        "may_change_status": bool(can_change_status(request.user, org))
        and bool(STATUS_TRANSITIONS[org.status]),
        "today": timezone.localdate(),
        # The download link only when the platform has issued a certificate that is still
        # valid (organisations registered before the platform hold paper ones).
        "has_certificate": org.is_registered
        and not org.is_closed
        and org.certificates.filter(voided_on__isnull=True).exists(),  # type: ignore[attr-defined]
    }
    if tab == "history":
        context["history"] = history_rows(org, list(organization_history(org)[:HISTORY_LIMIT]))
        context["history_limit"] = HISTORY_LIMIT
    elif tab == "as_of":
        context["as_of"] = as_of
        if as_of:
            values = organization_as_of(org, end_of_day(as_of))
            context["snapshot"] = snapshot_rows(org, values) if values is not None else None
    else:
        context["officers"] = list(org.officers.select_related("person"))
    return render(request, "orgs/organization_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organization_create(request: HttpRequest) -> HttpResponse:
    """Add an organisation of the kind chosen by ``?kind=``; without it, choose the kind."""
    kinds = creatable_kinds(request.user)
    if not kinds:
        raise Http404(_("页面不存在"))
    kind = request.GET.get("kind", "")
    if kind not in dict(kinds):
        return render(request, "orgs/organization_kind_choice.html", {"kinds": kinds})
    form = OrganizationForm(request.POST or None, kind=kind, categories=category_choices())
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organization_create(actor=request.user, data=form.to_input())
        except DomainError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已登记“%(name)s”") % {"name": org.name})
            return redirect("orgs:organization-detail", pk=org.pk)
    context = {"form": form, "kind_label": Kind(kind).label, "org": None}
    return render(request, "orgs/organization_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct the registry record; the service keeps every changed field in the history."""
    org = _visible_org(request, pk)
    if not can_edit_organization(request.user, org):
        raise Http404(_("页面不存在"))
    show_personal = bool(can_see_personal_data(request.user, org))
    form = OrganizationForm(
        request.POST or None,
        kind=org.kind,
        categories=category_choices(),
        show_personal_data=show_personal,
        initial=OrganizationForm.initial_for(org, show_personal_data=show_personal),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(actor=request.user, org=org, data=form.to_input())
        except DomainError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已保存“%(name)s”的修改") % {"name": form.to_input().name})
            return redirect("orgs:organization-detail", pk=org.pk)
    context = {"form": form, "kind_label": org.get_kind_display(), "org": org}
    return render(request, "orgs/organization_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organization_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the organisation along its status lifecycle, with a reason and an effective date."""
    org = _visible_org(request, pk)
    if not can_change_status(request.user, org):
        raise Http404(_("页面不存在"))
    form = StatusChangeForm(request.POST or None, current=org.status)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organization_change_status(
                actor=request.user,
                org=org,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                effective_on=form.cleaned_data["effective_on"],
            )
        except DomainError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("状态已变更为“%(status)s”") % {"status": org.get_status_display()}
            )
            return redirect("orgs:organization-detail", pk=org.pk)
    return render(request, "orgs/organization_status.html", {"org": org, "form": form})
