"""Print pages (A4, ``print_base.html``): an application with its decision — 准予登记 /
不予登记 once decided, the application form before — and a certificate version. Fetched and
masked exactly as their pages: ``application_get_for`` with ``application_view``'s masking
(``content_of``), ``certificate_get_for`` (the organisation's scope)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from npohub.core.printing import authority_name, print_context

from ..certificates import (
    authority_text,
    certificate_fields,
    certificate_title,
    certificate_verify_url,
)
from ..models import Certificate
from ..permissions import application_view
from ..selectors import certificate_get_for, current_certificate_for, state_changes_of
from ..workflows import WORKFLOWS, S, state_label
from .common import _org_kind_label, _visible
from .detail import content_of


@login_required
@require_GET
def application_print(request: HttpRequest, pk: int) -> HttpResponse:
    app = _visible(request, pk)
    view = application_view(request.user, app)
    workflow = WORKFLOWS[app.kind]
    if app.state == S.APPROVED:
        title = _("准予%(kind)s决定书") % {"kind": workflow.label}
    elif app.state == S.REJECTED:
        title = _("不予%(kind)s决定书") % {"kind": workflow.label}
    else:
        title = _("%(kind)s申请表") % {"kind": workflow.label}
    changes = state_changes_of(app)
    decision_note = changes[-1].note if app.state in (S.APPROVED, S.REJECTED) and changes else ""
    region = app.authority_region
    context = print_context(
        authority=authority_name(region.name if region else ""),
        back_url=reverse("registration:application-detail", args=[app.pk]),
        app=app,
        title=title,
        decided=app.state in (S.APPROVED, S.REJECTED),
        approved=app.state == S.APPROVED,
        decision_note=decision_note,
        kind_label=workflow.label,
        org_kind_label=_org_kind_label(app.org_kind),
        state_text=state_label(app.state),
        content=content_of(app, show_personal=view.sees_personal_data),
    )
    return render(request, "registration/application_print.html", context)


def _certificate_page(request: HttpRequest, cert: Certificate) -> HttpResponse:
    context = print_context(
        authority=authority_text(cert.content or {}) or authority_name(""),
        back_url=reverse("orgs:organization-detail", args=[cert.organization_id]),
        cert=cert,
        title=certificate_title(cert),
        fields=certificate_fields(cert),
        verify_url=certificate_verify_url(cert, request),
    )
    return render(request, "registration/certificate_print.html", context)


@login_required
@require_GET
def certificate_print(request: HttpRequest, pk: int) -> HttpResponse:
    """One version of a certificate (a voided one is marked 已作废)."""
    return _certificate_page(request, certificate_get_for(request.user, pk))


@login_required
@require_GET
def current_certificate_print(request: HttpRequest, org_pk: int) -> HttpResponse:
    """The organisation's current certificate (404 when it has none, as the PDF)."""
    return _certificate_page(request, current_certificate_for(request.user, org_pk))
