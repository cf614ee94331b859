"""Service platforms (list, set-up, visits and honours) and pairings (结对共建)."""

from __future__ import annotations

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
from ..permissions import can_open_bureau_pages, can_record_platform_activity, can_view_hubs
from .common import page_of, require_page, signed_in, submit

# The figures of a user without a region (the superuser): the province.
DEFAULT_FRAME = "37"


@login_required
@require_GET
def platform_list(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    require_page(can_view_hubs(user))
    qs = selectors.platform_visible_to(user)
    level = request.GET.get("level", "")
    if level:
        qs = qs.filter(level=level)
    context = {
        "coverage": selectors.platform_coverage(selectors.region_frame(user) or DEFAULT_FRAME),
        "page_obj": page_of(request, qs),
        "level": level,
        "may_create": bool(can_open_bureau_pages(user)),
    }
    return render(request, "hubs/platform_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def platform_create(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    require_page(can_open_bureau_pages(user))
    form = forms.PlatformForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        operator = selectors.hub_visible_to(user).filter(pk=data["operator"]).first()
        if operator is None:
            form.add_error("operator", _("未找到该枢纽"))
        else:
            opening = services.PlatformInput(
                name=data["name"],
                level=data["level"],
                region=data["region"],
                operator=operator,
                opened_on=data["opened_on"],
                offerings=list(data["offerings"]),
                address=data["address"],
                area_sqm=data["area_sqm"],
            )
            platform = attempt(
                request, lambda: services.platform_create(actor=user, data=opening), form=form
            )
            if platform is not None:
                messages.success(request, _("已设立“%(name)s”") % {"name": platform.name})
                return redirect("hubs:platform-detail", pk=platform.pk)
    return render(request, "hubs/form_page.html", {"form": form, "title": _("设立服务平台")})


@login_required
@require_GET
def platform_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    platform = selectors.platform_get_for(user, pk)
    context = {
        "platform": platform,
        "visits": list(platform.visits.all()[:100]),
        "honours": list(platform.honours.all()[:100]),
        "may_record": bool(can_record_platform_activity(user, platform)),
        "visit_form": forms.VisitForm(initial={"visited_on": timezone.localdate()}),
        "honour_form": forms.HonourForm(initial={"awarded_on": timezone.localdate()}),
    }
    return render(request, "hubs/platform_detail.html", context)


@login_required
@require_POST
def platform_visit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    platform = selectors.platform_get_for(user, pk)
    submit(
        request,
        forms.VisitForm(request.POST),
        lambda d: services.platform_record_visit(actor=user, platform=platform, **d),
        done=_("已记录参观学习"),
        invalid=_("请填写参观日期、来访单位和人数"),
    )
    return redirect("hubs:platform-detail", pk=platform.pk)


@login_required
@require_POST
def platform_honour(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    platform = selectors.platform_get_for(user, pk)
    submit(
        request,
        forms.HonourForm(request.POST),
        lambda d: services.platform_record_honour(actor=user, platform=platform, **d),
        done=_("已记录荣誉"),
        invalid=_("请填写荣誉名称、授予单位和日期"),
    )
    return redirect("hubs:platform-detail", pk=platform.pk)


# --- pairing -----------------------------------------------------------------------------------


@login_required
@require_GET
def pairing_list(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    require_page(can_view_hubs(user))
    context = {
        "page_obj": page_of(request, selectors.pairing_visible_to(user)),
        "may_create": bool(can_open_bureau_pages(user)),
    }
    return render(request, "hubs/pairing_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def pairing_create(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    require_page(can_open_bureau_pages(user))
    form = forms.PairingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        visible = organization_visible_to(user)
        senior = forms.find_organization(visible, data["senior"])
        group = visible.filter(pk=data["community_group"]).first()
        if senior is None:
            form.add_error("senior", _("未找到该组织"))
        if group is None:
            form.add_error("community_group", _("未找到该组织"))
        if senior is not None and group is not None:
            paired = attempt(
                request,
                lambda: services.pairing_create(
                    actor=user,
                    senior=senior,
                    community_group=group,
                    topic=data["topic"],
                    started_on=data["started_on"],
                ),
                form=form,
                success=_("已建立结对共建"),
            )
            if paired is not None:
                return redirect("hubs:pairing-list")
    return render(request, "hubs/form_page.html", {"form": form, "title": _("建立结对共建")})


@login_required
@require_POST
def pairing_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    pairing = selectors.pairing_get_for(user, pk)
    attempt(
        request,
        lambda: services.pairing_close(
            actor=user,
            pairing=pairing,
            ended_on=timezone.localdate(),
            outcome=request.POST.get("outcome", ""),
        ),
        success=_("已结束结对并记录成效"),
    )
    return redirect("hubs:pairing-list")
