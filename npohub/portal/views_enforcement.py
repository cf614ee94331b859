"""Public portal pages of enforcement: submit a complaint (no sign-in, throttled per client)
and look one up by its tracking number."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from npohub.core.errors import DomainError
from npohub.core.forms import apply_service_errors
from npohub.core.http import client_ip
from npohub.enforcement.forms import LookupForm, PublicComplaintForm
from npohub.enforcement.models import ComplaintCategory
from npohub.enforcement.selectors import complaint_by_number
from npohub.enforcement.services import Throttled, complaint_submit
from npohub.enforcement.workflows import complaint_state_label


@require_http_methods(["GET", "POST"])
def complaint_create(request: HttpRequest) -> HttpResponse:
    """Not ``core.http.attempt``: a throttled visitor gets the page with 429, so the refusal's
    kind decides the status (the other refusals land on the form as attempt would put them)."""
    form = PublicComplaintForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = complaint_submit(
                actor=request.user,
                client_ip=client_ip(request),
                contact=data["contact"],
                category=data["category"],
                description=data["description"],
                complainant_name=data["complainant_name"],
                organization_text=data["organization_text"],
            )
        except Throttled as exc:
            form.add_error(None, exc.message)
            status = 429
        except DomainError as exc:
            apply_service_errors(form, exc)
        else:
            request.session["enforcement_last_complaint"] = made.number
            return redirect("portal:enforcement-complaint-done")
    return render(request, "portal/enforcement/complaint_form.html", {"form": form}, status=status)


@require_GET
def complaint_done(request: HttpRequest) -> HttpResponse:
    number = request.session.get("enforcement_last_complaint", "")
    return render(request, "portal/enforcement/complaint_done.html", {"number": number})


@require_GET
def complaint_lookup(request: HttpRequest) -> HttpResponse:
    form = LookupForm(request.GET or None)
    found = None
    searched = False
    if form.is_valid() and form.cleaned_data["number"]:
        searched = True
        found = complaint_by_number(form.cleaned_data["number"])
    context = {
        "form": form,
        "complaint": found,
        "searched": searched,
        "state_text": complaint_state_label(found.state) if found else "",
        "category_text": ComplaintCategory(found.category).label if found else "",
        "not_found": _("未找到该受理编号，请核对后重试。"),
    }
    return render(request, "portal/enforcement/complaint_lookup.html", context)
