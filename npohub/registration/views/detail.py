"""The application page: its content with readable labels (personal data masked unless the
user may see it), the moves the user may make, review rounds, the clock; and making a move.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from npohub.core.errors import NotFound
from npohub.core.http import attempt
from npohub.core.templatetags.npohub import cn_date, yuan
from npohub.core.validators import mask_id_number, mask_phone
from npohub.orgs.models import (
    CertificateForm,
    FoundationType,
    ManagementLevel,
    OfficerPosition,
    Organization,
)
from npohub.orgs.selectors import organization_get_for
from npohub.regions.models import Region

from .. import services
from ..certificates import certificate_verify_url
from ..forms import (
    DATA_LABELS,
    FILING_LABELS,
    FUNDS_BY_KIND,
    TransitionForm,
    region_code,
)
from ..models import Application, ReviewTask
from ..permissions import (
    ACTING,
    application_view,
)
from ..selectors import (
    current_certificate,
    review_tasks_of,
    state_changes_of,
)
from ..workflows import (
    FINAL_STATES,
    WORKFLOWS,
    S,
    state_label,
)
from .attachments import _attachments_context
from .common import _org_kind_label, _render, _running, _visible, tabs_for

# ---------------------------------------------------------------------------------------------
# The detail page


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
