"""Pages of the registration workflow: applications, their documents and moves, joint review,
the deadline board and the bureau's overview.

Views fetch with the scoped selectors (``NotFound`` → 404 for missing and forbidden alike),
shape input with ``forms.py`` and call one service; a ``DomainError`` becomes a form error or
a message, and nothing changes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from npohub.core.errors import NotFound
from npohub.core.http import attempt, stored_file_download
from npohub.core.params import parse_int
from npohub.core.templatetags.npohub import cn_date, yuan
from npohub.core.validators import mask_id_number, mask_phone
from npohub.orgs.models import (
    CertificateForm,
    FoundationType,
    Kind,
    ManagementLevel,
    OfficerPosition,
    Organization,
)
from npohub.orgs.selectors import OrganizationFilters, organization_get_for, organization_list_for
from npohub.regions.models import Region

from . import services
from .certificates import certificate_verify_url
from .forms import (
    DATA_LABELS,
    FILING_LABELS,
    FUNDS_BY_KIND,
    KIND_HELP,
    PICKER_FIELDS,
    ApplicationFilterForm,
    ApplicationForm,
    AttachmentForm,
    OpinionForm,
    TransitionForm,
    officer_formset,
    officer_rows_sent,
    officers_from_values,
    region_code,
    values_of,
)
from .models import Application, AttachmentKind, ReviewTask
from .permissions import (
    ACTING,
    application_view,
    capacities_of,
    is_bureau_user,
    is_reviewer,
    sees_applications,
    sees_deadlines,
    startable_kinds,
)
from .selectors import (
    application_attachments_of,
    application_counts_for,
    application_get_for,
    application_list_for,
    attachment_get_for,
    current_certificate,
    deadline_board_for,
    owned_organizations,
    review_inbox_for,
    review_task_get_for,
    review_tasks_of,
    state_changes_of,
)
from .workflows import (
    APPLICANT_EDITABLE,
    CLOCK_STATES,
    FINAL_STATES,
    KIND_LABELS,
    STATE_LABELS,
    WORKFLOWS,
    S,
    Workflow,
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


# ---------------------------------------------------------------------------------------------
# The detail page


def _attachment_labels(kinds: tuple[str, ...] | list[str]) -> list[str]:
    return [str(AttachmentKind(k).label) for k in kinds]


def _region_names(codes: list[str]) -> dict[str, str]:
    codes = [c for c in codes if c]
    if not codes:
        return {}
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


def _display(
    key: str, value: Any, app: Application, regions: dict[str, str], show_personal: bool
) -> str:
    if value in (None, ""):
        return "—"
    if key in ("is_charity", "funds_paid_in_cash"):
        return _("是") if value else _("否")
    if key == "management_level":
        return str(dict(ManagementLevel.choices).get(value, value))
    if key == "foundation_type":
        return str(dict(FoundationType.choices).get(value, value))
    if key == "certificate_form":
        return str(dict(CertificateForm.choices).get(value, value))
    if key == "category_code":
        if app.category is not None and app.category.code == value:
            return app.category.name
        return str(value)
    if key == "community_code":
        name = regions.get(region_code(str(value)))
        return f"{name}（{value}）" if name else str(value)
    if key == "registered_funds":
        return yuan(value)
    if key == "legal_representative_id_number":
        return str(value) if show_personal else mask_id_number(str(value))
    if key in ("legal_representative_phone",):
        return str(value) if show_personal else mask_phone(str(value))
    if key == "liquidation_completed_on":
        return cn_date(value)
    return str(value)


def content_of(app: Application, *, show_personal: bool) -> dict[str, Any]:
    """The application's content with readable labels and values (no raw keys)."""
    data = dict(app.data or {})
    changes = data.pop("changes", None) or {}
    officers = data.pop("officers", None) or []
    parent_id = data.pop("parent_id", None)
    codes = [region_code(str(data.get("community_code", "")))]
    codes.append(region_code(str(changes.get("community_code", ""))))
    if app.address_code and app.kind == "filing":
        codes.append(app.address_code)
    regions = _region_names(codes)
    labels = dict(DATA_LABELS)
    labels["registered_funds"] = FUNDS_BY_KIND.get(app.org_kind, labels["registered_funds"])
    if app.kind == "filing":
        labels.update(FILING_LABELS)
    rows = []
    order = [*labels]
    for key in sorted(data, key=lambda k: order.index(k) if k in order else len(order)):
        rows.append((labels.get(key, key), _display(key, data[key], app, regions, show_personal)))
    if parent_id:
        parent = Organization.objects.filter(pk=parent_id).values_list("name", flat=True).first()
        rows.append((labels["parent_id"], parent or "—"))
    if app.supervisory_department is not None:
        rows.append((labels["supervisory_department"], app.supervisory_department.name))
    if app.supervisory_consent_on is not None:
        rows.append((labels["supervisory_consent_on"], cn_date(app.supervisory_consent_on)))
    change_rows = []
    org = app.organization
    for key, value in changes.items():
        label = labels.get(key, key)
        if key == "community_code":
            label = labels["community_code"]
        current = ""
        if org is not None and app.state not in FINAL_STATES:
            current = _display(key, _org_value(org, key), app, regions, show_personal)
        change_rows.append((label, current, _display(key, value, app, regions, show_personal)))
    positions = dict(OfficerPosition.choices)
    officer_rows = [
        {
            "position": positions.get(o.get("position", ""), o.get("position", "")),
            "name": o.get("name", ""),
            "id_number": (
                o.get("id_number", "") if show_personal else mask_id_number(o.get("id_number", ""))
            ),
            "phone": o.get("phone", "") if show_personal else mask_phone(o.get("phone", "")),
        }
        for o in officers
    ]
    return {"rows": rows, "changes": change_rows, "officers": officer_rows}


def _org_value(org: Organization, key: str) -> Any:
    if key == "legal_representative_name":
        return org.legal_representative.name if org.legal_representative else ""
    if key == "legal_representative_id_number":
        return org.legal_representative.id_number if org.legal_representative else ""
    if key == "legal_representative_phone":
        return org.legal_representative.phone if org.legal_representative else ""
    if key == "community_code":
        return org.address_code
    return getattr(org, key, "")


# Moves that carry the application forward (drawn as the primary button).
FORWARD_MOVES = frozenset(
    {"submit", "resubmit", "supplement", "accept", "approve", "community_check", "file"}
)


def _actions(app: Application, held: set[str]) -> list[dict[str, Any]]:
    workflow = WORKFLOWS[app.kind]
    return [
        {
            "name": t.name,
            "label": t.label,
            "needs_note": t.needs_note,
            "style": (
                "btn-primary"
                if t.name in FORWARD_MOVES
                else "btn-danger"
                if t.needs_note or t.name == "withdraw"
                else ""
            ),
        }
        for t in workflow.available(app.state)
        if t.capacity in held and t.capacity in ACTING
    ]


def _rounds(tasks: list[ReviewTask], today: dt.date) -> list[dict[str, Any]]:
    rounds: dict[int, list[ReviewTask]] = defaultdict(list)
    for task in tasks:
        shown: Any = task  # decorated for the template
        shown.overdue = task.is_pending and task.due_on is not None and task.due_on < today
        rounds[task.round].append(task)
    return [
        {"round": n, "tasks": rounds[n], "pending": sum(1 for t in rounds[n] if t.is_pending)}
        for n in sorted(rounds, reverse=True)
    ]


def _org_kind_label(org_kind: str) -> str:
    return str(dict(Kind.choices).get(org_kind, org_kind))


def _attachments_context(request: HttpRequest, app: Application, held: set[str]) -> dict[str, Any]:
    attachments = list(application_attachments_of(app))
    have = {a.kind for a in attachments}
    workflow = WORKFLOWS[app.kind]
    required = [
        {"label": AttachmentKind(k).label, "done": k in have}
        for k in (*workflow.required_attachments, *workflow.approval_attachments)
    ]
    if not app.is_direct and app.kind not in ("filing", "name_approval", "revocation"):
        required.append(
            {
                "label": AttachmentKind.SUPERVISORY_CONSENT.label,
                "done": AttachmentKind.SUPERVISORY_CONSENT in have,
            }
        )
    editable = app.state in APPLICANT_EDITABLE
    for a in attachments:
        shown: Any = a  # decorated for the template
        shown.deletable = a.uploaded_by_id == request.user.pk and editable
    return {
        "app": app,
        "attachments": attachments,
        "required": required,
        "may_upload": application_view(request.user, app).may_upload,
        "upload_form": AttachmentForm(
            kinds=[k for k in AttachmentKind.values if k != AttachmentKind.OPINION]
        ),
    }


def _sees_organization(user: Any, org_id: int) -> bool:
    try:
        organization_get_for(user, org_id)
    except NotFound:
        return False
    return True


def _detail_context(request: HttpRequest, app: Application) -> dict[str, Any]:
    user = request.user
    today = timezone.localdate()
    view = application_view(user, app)
    held, behalf = set(view.held), view.on_behalf_of
    workflow = WORKFLOWS[app.kind]
    tasks = list(review_tasks_of(app))
    changes = state_changes_of(app)
    running = _running(app)
    days_left = app.days_left(today) if running else None
    last_note = ""
    if app.state in (S.RETURNED, S.SUPPLEMENT, S.REJECTED) and changes:
        last_note = changes[-1].note
    # The organisation's current certificate, once registered (download and public check).
    certificate = None
    if app.organization is not None and app.organization.is_registered:
        certificate = current_certificate(app.organization)
    return {
        # Links only where the user may go: back to the list they work from (a joint-review
        # department works from its inbox, not the application list), and to the organisation's
        # record only when they may open it.
        "back": next(
            ((label, url) for key, label, url in tabs_for(user) if key in ("list", "reviews")), None
        ),
        "sees_organization": app.organization_id is not None
        and _sees_organization(user, app.organization_id),
        "certificate": certificate,
        "certificate_verify_url": (
            certificate_verify_url(certificate, request) if certificate is not None else ""
        ),
        "app": app,
        "org_kind_label": _org_kind_label(app.org_kind),
        "last_note": last_note,
        "workflow": workflow,
        "kind_label": workflow.label,
        "state_text": state_label(app.state),
        "held": held,
        "on_behalf_of": behalf.label if behalf else "",
        "actions": _actions(app, held),
        "may_edit": view.editable,
        "content": content_of(app, show_personal=view.sees_personal_data),
        "rounds": _rounds(tasks, today),
        "history": changes,
        "clock": {
            "running": running,
            "due_on": app.due_on(today) if running else None,
            "days_left": days_left,
            "over": -days_left if days_left is not None and days_left < 0 else 0,
            "paused_days": app.paused_days_on(today) if app.accepted_on else 0,
            "final": app.state in FINAL_STATES,
        },
        "today": today,
        **_attachments_context(request, app, held),
        "tab": "list",
    }


@login_required
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything about one application, and the moves the user may make now."""
    app = _visible(request, pk)
    return _render(request, "registration/application_detail.html", _detail_context(request, app))


@login_required
@require_POST
def application_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """Make one workflow move; a refusal is a message and nothing changes."""
    app = _visible(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("操作无效"))
        return redirect("registration:application-detail", pk=app.pk)
    name = form.cleaned_data["transition"]
    move = WORKFLOWS[app.kind].transition(name)
    moved = attempt(
        request,
        lambda: services.application_transition(
            actor=request.user, app=app, transition=name, note=form.cleaned_data["note"]
        ),
    )
    if moved is not None:
        messages.success(
            request,
            _("已完成“%(move)s”，申请现为“%(state)s”")
            % {"move": move.label if move else name, "state": state_label(moved.state)},
        )
    return redirect("registration:application-detail", pk=app.pk)


# ---------------------------------------------------------------------------------------------
# Attachments


def _attachments_response(request: HttpRequest, app: Application) -> HttpResponse:
    if _htmx(request):
        held, _behalf = capacities_of(request.user, app)
        context = _attachments_context(request, app, held)
        return render(request, "registration/partials/application_attachments.html", context)
    return redirect("registration:application-detail", pk=app.pk)


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a document to the application (type sniffed from the content by the service)."""
    app = _visible(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = "；".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, _("未能上传：%(errors)s") % {"errors": errors})
        return _attachments_response(request, app)
    upload = form.cleaned_data["file"]
    attachment = attempt(
        request,
        lambda: services.attachment_add(
            actor=request.user,
            app=app,
            kind=form.cleaned_data["kind"],
            name=upload.name,
            stream=upload,
        ),
        refused=_("未能上传：%(reason)s"),
    )
    if attachment is not None:
        messages.success(request, _("已上传“%(name)s”") % {"name": attachment.original_name})
    return _attachments_response(request, app)


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """The stored file, always as a download (never shown inline, never sniffed)."""
    attachment = attachment_get_for(request.user, pk)
    return stored_file_download(attachment)


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove one's own upload while the application (or the opinion) is still open."""
    attachment = attachment_get_for(request.user, pk)
    app = attachment.application
    task = attachment.review_task
    name = attachment.original_name
    attempt(
        request,
        lambda: services.attachment_remove(actor=request.user, attachment=attachment),
        success=_("已删除“%(name)s”") % {"name": name},
        refused=_("未能删除：%(reason)s"),
    )
    if task is not None:
        if _htmx(request):
            return render(
                request,
                "registration/partials/review_attachments.html",
                _task_attachments_context(request, task),
            )
        return redirect("registration:review-detail", pk=task.pk)
    return _attachments_response(request, app)


# ---------------------------------------------------------------------------------------------
# Joint review


@login_required
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    """The user's departments' tasks: to do (by due date, overdue first) and done."""
    done = request.GET.get("tab") == "done"
    kind = request.GET.get("kind", "")
    if kind not in WORKFLOWS:
        kind = ""
    tasks = review_inbox_for(request.user, pending_only=not done, kind=kind).select_related(
        "application__category"
    )
    if done:
        tasks = tasks.exclude(opinion="").order_by("-decided_at", "-id")
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for task in page.object_list:
        task.overdue = task.is_pending and task.due_on is not None and task.due_on < today
        task.kind_text = KIND_LABELS.get(task.application.kind, "")
    context: dict[str, Any] = {
        "page_obj": page,
        "done": done,
        "kind": kind,
        "kinds": list(KIND_LABELS.items()),
        "today": today,
        "tab": "reviews",
    }
    return _render(request, "registration/review_list.html", context)


def _task_or_404(request: HttpRequest, pk: int) -> ReviewTask:
    return review_task_get_for(request.user, pk)  # NotFound → 404 (core.http)


def _task_open(task: ReviewTask) -> bool:
    app = task.application
    return task.is_pending and task.round == app.review_round and app.state == S.IN_REVIEW


def _task_attachments_context(request: HttpRequest, task: ReviewTask) -> dict[str, Any]:
    open_ = _task_open(task)
    attachments = list(task.attachments.select_related("uploaded_by"))
    for a in attachments:
        shown: Any = a  # decorated for the template
        shown.deletable = open_ and a.uploaded_by_id == request.user.pk
    return {
        "task": task,
        "task_attachments": attachments,
        "task_open": open_,
        "task_upload_form": AttachmentForm(kinds=[AttachmentKind.OPINION, AttachmentKind.OTHER]),
    }


@login_required
@require_http_methods(["GET", "POST"])
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One department's task: the application, its documents, and the opinion form."""
    task = _task_or_404(request, pk)
    app = task.application
    form = OpinionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        given = attempt(
            request,
            lambda: services.review_opinion_give(
                actor=request.user,
                task=task,
                opinion=form.cleaned_data["opinion"],
                reasons=form.cleaned_data["reasons"],
            ),
            form=form,
            success=_("已提交%(department)s对 %(number)s 的意见")
            % {"department": task.department.name, "number": app.number},
        )
        if given is not None:
            return redirect("registration:review-list")
    try:
        full = application_get_for(request.user, app.pk)
    except NotFound:
        full = app
    context: dict[str, Any] = {
        "task": task,
        "app": full,
        "form": form,
        "kind_label": WORKFLOWS[full.kind].label,
        "state_text": state_label(full.state),
        "content": content_of(
            full, show_personal=application_view(request.user, full).sees_personal_data
        ),
        "rounds": _rounds(list(review_tasks_of(full)), timezone.localdate()),
        "attachments": list(application_attachments_of(full)),
        "today": timezone.localdate(),
        "tab": "reviews",
        **_task_attachments_context(request, task),
    }
    return _render(request, "registration/review_detail.html", context)


@login_required
@require_POST
def review_attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a document to the department's opinion (while the task is open)."""
    task = _task_or_404(request, pk)
    form = AttachmentForm(
        request.POST, request.FILES, kinds=[AttachmentKind.OPINION, AttachmentKind.OTHER]
    )
    if not form.is_valid():
        errors = "；".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, _("未能上传：%(errors)s") % {"errors": errors})
    else:
        upload = form.cleaned_data["file"]
        attempt(
            request,
            lambda: services.attachment_add(
                actor=request.user,
                app=task.application,
                kind=form.cleaned_data["kind"],
                name=upload.name,
                stream=upload,
                review_task=task,
            ),
            success=_("已上传“%(name)s”") % {"name": upload.name},
            refused=_("未能上传：%(reason)s"),
        )
    if _htmx(request):
        return render(
            request,
            "registration/partials/review_attachments.html",
            _task_attachments_context(request, task),
        )
    return redirect(reverse("registration:review-detail", kwargs={"pk": task.pk}))
