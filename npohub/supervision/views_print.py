"""The annual report's print page (A4, ``print_base.html``), with the bureau's conclusion
(年检结论) once made: fetched and masked exactly as the report's page (``report_get_for`` and
``report_view``)."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from npohub.accounts.models import User
from npohub.core.printing import authority_name, print_context

from .content import report_content
from .permissions import report_view
from .selectors import report_get_for


@login_required
@require_GET
def report_print(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    report = report_get_for(user, pk)
    view = report_view(user, report)
    region = report.organization.authority_region
    context = print_context(
        authority=authority_name(region.name if region else ""),
        back_url=reverse("supervision:report-detail", args=[report.pk]),
        report=report,
        sections=report_content(report, personal=view.sees_personal_data),
    )
    return render(request, "supervision/report_print.html", context)
