"""Starting an application (kind, organisation, form and officers table) and editing one the
applicant still holds.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from npohub.core.errors import NotFound
from npohub.core.http import attempt
from npohub.core.params import parse_int
from npohub.orgs.models import (
    Kind,
    Organization,
)
from npohub.orgs.selectors import OrganizationFilters, organization_get_for, organization_list_for

from .. import services
from ..forms import (
    KIND_HELP,
    PICKER_FIELDS,
    ApplicationForm,
    officer_formset,
    officer_rows_sent,
    officers_from_values,
    values_of,
)
from ..models import Application, AttachmentKind
from ..permissions import (
    application_view,
    is_bureau_user,
    startable_kinds,
)
from ..selectors import (
    owned_organizations,
)
from ..workflows import (
    KIND_LABELS,
    WORKFLOWS,
    Workflow,
)
from .common import ORG_CHOICES_LIMIT, _htmx, _org_kind_label, _visible

# ---------------------------------------------------------------------------------------------
# Starting and editing an application


def _org_choices(user: Any, workflow: Workflow, q: str) -> list[Organization]:
    """Organisations the user may start this kind for: their own; a bureau searches its scope."""
    owned = list(owned_organizations(user, kinds=workflow.org_kinds))
    if not is_bureau_user(user):
        return owned
    if not q:
        return owned
    found = (
        organization_list_for(user, OrganizationFilters(search=q))
        .filter(kind__in=list(workflow.org_kinds))
        .exclude(status__in=("deregistered", "revoked"))[:ORG_CHOICES_LIMIT]
    )
    return list({o.pk: o for o in [*owned, *found]}.values())


def _chosen_org(user: Any, value: str) -> Organization | None:
    pk = parse_int(value, None, minimum=1)
    if pk is None:
        return None
    try:
        return organization_get_for(user, pk)
    except NotFound:
        return None


def _form_for(
    request: HttpRequest,
    *,
    kind: str,
    organization: Organization | None,
    upgrade_choices: list[Organization],
    bound: bool,
) -> tuple[ApplicationForm, Any]:
    """The application form (and officers table) for the create page: bound to the POST, or
    redrawn from the values sent so far (htmx swap, "add a row")."""
    source = request.POST if request.method == "POST" else request.GET
    user: Any = request.user
    region = getattr(user, "region", None)
    default_authority = region.code if is_bureau_user(user) and region is not None else ""
    authority = source.get("authority_code", default_authority if not bound else "")
    if "authority_code" not in source and not bound:
        authority = default_authority
    options: dict[str, Any] = {
        "kind": kind,
        "org_kind": source.get("org_kind", ""),
        "category_code": source.get("category_code", ""),
        "authority_code": authority,
        "organization": organization,
        "upgrade_choices": upgrade_choices,
    }
    officers = None
    if bound:
        form = ApplicationForm(request.POST, **options)
        if WORKFLOWS[kind].form == "reelection":
            officers = officer_formset(request.POST)
        return form, officers
    values = values_of(source)
    values.setdefault("authority_code", authority)
    if kind == "establishment" and organization is not None:
        values.setdefault("organization", str(organization.pk))
    form = ApplicationForm(initial=values, **options)
    if WORKFLOWS[kind].form == "reelection":
        officers = officer_formset(
            initial=officers_from_values(values), rows=officer_rows_sent(values)
        )
    return form, officers


def _officer_rows(officers: Any) -> tuple[list[dict[str, Any]], bool]:
    """Filled officer rows and whether every row is valid."""
    if officers is None:
        return [], True
    if not officers.is_valid():
        return [], False
    rows = [
        {k: (v or "").strip() for k, v in f.cleaned_data.items() if k != "DELETE"}
        for f in officers.forms
        if f.cleaned_data and f.cleaned_data.get("name")
    ]
    return rows, True


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest) -> HttpResponse:
    """Choose the kind (and organisation), then fill the form; saving makes a draft."""
    user = request.user
    kinds = startable_kinds(user)
    if not kinds:
        raise Http404(_("页面不存在"))
    kind = request.GET.get("kind", "")
    if kind not in kinds:
        cards = [(k, KIND_LABELS[k], KIND_HELP.get(k, "")) for k in kinds]
        return render(request, "registration/application_kind_choice.html", {"kinds": cards})
    workflow = WORKFLOWS[kind]
    source = request.POST if request.method == "POST" else request.GET
    organization: Organization | None = None
    upgrade_choices: list[Organization] = []
    if workflow.needs_organization:
        organization = _chosen_org(user, request.GET.get("organization", ""))
        if organization is None or organization.kind not in workflow.org_kinds:
            q = request.GET.get("q", "").strip()
            choices = {
                "kind": kind,
                "kind_label": workflow.label,
                "orgs": _org_choices(user, workflow, q),
                "q": q,
                "searchable": is_bureau_user(user),
            }
            return render(request, "registration/application_org_choice.html", choices)
    elif kind == "establishment":
        upgrade_choices = list(owned_organizations(user, kinds=[Kind.COMMUNITY_GROUP]))
        chosen = source.get("organization", "")
        organization = next((o for o in upgrade_choices if str(o.pk) == chosen), None)
    redraw = request.method == "GET" or "add_officer" in request.POST
    form, officers = _form_for(
        request,
        kind=kind,
        organization=organization,
        upgrade_choices=upgrade_choices,
        bound=not redraw,
    )
    if not redraw:
        officer_rows, officers_ok = _officer_rows(officers)
        if form.is_valid() and officers_ok:
            data = form.to_data()
            if officers is not None:
                data["officers"] = officer_rows
            app = attempt(
                request,
                lambda: services.application_create(
                    actor=user,
                    kind=kind,
                    org_kind=form.chosen_org_kind(),
                    organization=organization,
                    authority_code=form.chosen_authority(),
                    category_code=form.cleaned_data.get("category_code") or "",
                    data=data,
                    **form.supervision(),
                ),
                form=form,
            )
            if app is not None:
                messages.success(
                    request,
                    _("已保存申请草稿 %(number)s，请上传材料后提交") % {"number": app.number},
                )
                return redirect("registration:application-detail", pk=app.pk)
    context: dict[str, Any] = {
        "form": form,
        "officers": officers,
        "kind": kind,
        "kind_label": workflow.label,
        "organization": organization if workflow.needs_organization else None,
        "app": None,
        "picker_fields": PICKER_FIELDS,
        "required_attachments": _attachment_labels(workflow.required_attachments),
    }
    if _htmx(request) and request.method == "GET" and request.GET.get("part") == "form":
        return render(request, "registration/partials/application_form_body.html", context)
    return render(request, "registration/application_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the content of an application the applicant holds (draft, returned, 补正)."""
    app = _visible(request, pk)
    if not _may_edit(request.user, app):
        raise Http404(_("页面不存在"))
    workflow = WORKFLOWS[app.kind]
    options: dict[str, Any] = {
        "kind": app.kind,
        "org_kind": app.org_kind,
        "category_code": app.category.code if app.category else "",
        "authority_code": app.authority_region.code,
        "organization": app.organization,
        "creating": False,
    }
    redraw = request.method == "GET" or "add_officer" in request.POST
    source = request.POST if request.method == "POST" else request.GET
    if "category_code" in source:
        options["category_code"] = source.get("category_code", "")
    officers = None
    if redraw:
        values = values_of(source) if source else ApplicationForm.initial_for(app)
        form = ApplicationForm(initial=values, **options)
        if workflow.form == "reelection":
            rows = officers_from_values(values) if source else list(app.data.get("officers") or [])
            officers = officer_formset(initial=rows, rows=officer_rows_sent(values))
    else:
        form = ApplicationForm(request.POST, **options)
        if workflow.form == "reelection":
            officers = officer_formset(request.POST)
        officer_rows, officers_ok = _officer_rows(officers)
        if form.is_valid() and officers_ok:
            data = form.to_data()
            if officers is not None:
                data["officers"] = officer_rows
            supervision: dict[str, Any] = {}
            if "supervisory_department" in form.fields:
                supervision = form.supervision()
            saved = attempt(
                request,
                lambda: services.application_update(
                    actor=request.user, app=app, data=data, **supervision
                ),
                form=form,
                success=_("已保存修改"),
            )
            if saved is not None:
                return redirect("registration:application-detail", pk=app.pk)
    context: dict[str, Any] = {
        "form": form,
        "officers": officers,
        "kind": app.kind,
        "kind_label": workflow.label,
        "organization": app.organization,
        "app": app,
        "org_kind_label": _org_kind_label(app.org_kind),
        "picker_fields": PICKER_FIELDS,
        "required_attachments": [],
    }
    if _htmx(request) and request.method == "GET" and request.GET.get("part") == "form":
        return render(request, "registration/partials/application_form_body.html", context)
    return render(request, "registration/application_form.html", context)


def _may_edit(user: Any, app: Application) -> bool:
    return application_view(user, app).editable


def _attachment_labels(kinds: tuple[str, ...] | list[str]) -> list[str]:
    return [str(AttachmentKind(k).label) for k in kinds]
