"""The hub list, a hub's page (recognition, roster, staff, notices, escalations), recognition and
revocation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from npohub.core.http import attempt
from npohub.orgs.selectors import organization_visible_to

from .. import forms, selectors, services
from ..permissions import can_open_bureau_pages, can_view_hubs, hub_view
from .common import kind_counts, page_of, require_page, signed_in, submit


@login_required
@require_GET
def hub_list(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    require_page(can_view_hubs(user))
    form = forms.HubFilterForm(request.GET or None)
    filters = selectors.HubFilters()
    if form.is_valid():
        filters = selectors.HubFilters(
            kind=form.cleaned_data["kind"],
            status=form.cleaned_data["status"],
            search=form.cleaned_data["q"],
        )
    context = {
        "form": form,
        "page_obj": page_of(request, selectors.hub_list_for(user, filters)),
        "counts": kind_counts(selectors.hub_counts_by_kind(selectors.region_frame(user))),
        "may_recognise": bool(can_open_bureau_pages(user)),
    }
    return render(request, "hubs/hub_list.html", context)


@login_required
@require_GET
def hub_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    hub = selectors.hub_get_for(user, pk)
    view = hub_view(user, hub)
    members = list(selectors.hub_members(hub)[:500]) if view.sees_roster else []
    context: dict[str, Any] = {
        "hub": hub,
        "view": view,
        "members": members,
        "current_count": sum(1 for m in members if m.left_on is None),
        "staff": list(selectors.hub_staff_users(hub)) if view.sees_staff else [],
        "platforms": list(hub.platforms.select_related("region").all()),
        "notices": list(selectors.hub_notices(hub)[:20]) if view.sees_notices else [],
        "escalations": list(hub.escalations.select_related("organization")[:20])
        if view.sees_escalations
        else [],
        "may_govern": view.may_govern,
        "may_keep_roster": view.may_keep_roster,
        "may_act": view.may_act,
        "member_form": forms.MemberAddForm(),
        "staff_form": forms.StaffForm(),
        "notice_form": forms.NoticeForm(),
        "escalation_form": forms.EscalationForm(),
        "revoke_form": forms.RevokeForm(),
        "today": timezone.localdate(),
    }
    return render(request, "hubs/hub_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def hub_recognise(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    require_page(can_open_bureau_pages(user))
    form = forms.RecognitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        org = forms.find_organization(organization_visible_to(user), data["organization"])
        if org is None:
            form.add_error("organization", _("未找到该组织"))
        else:
            recognition = services.RecognitionInput(
                kind=data["kind"],
                decision_number=data["decision_number"],
                decision_date=data["decision_date"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                region=data["region"],
                category=data["category"],
                scope_note=data["scope_note"],
                decision_text=data["decision_text"],
            )
            hub = attempt(
                request,
                lambda: services.hub_recognize(actor=user, organization=org, data=recognition),
                form=form,
            )
            if hub is not None:
                messages.success(request, _("已认定“%(name)s”") % {"name": hub.name})
                return redirect("hubs:hub-detail", pk=hub.pk)
    return render(request, "hubs/form_page.html", {"form": form, "title": _("认定枢纽型社会组织")})


@login_required
@require_POST
def hub_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    hub = selectors.hub_get_for(user, pk)
    submit(
        request,
        forms.RevokeForm(request.POST),
        lambda d: services.hub_revoke(actor=user, hub=hub, reason=d["reason"]),
        done=_("已撤销认定，该枢纽工作人员对成员的权限已即时终止"),
        invalid=_("请填写撤销原因"),
    )
    return redirect("hubs:hub-detail", pk=hub.pk)
