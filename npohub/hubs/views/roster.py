"""A hub's roster and staff: members joining and leaving, supervision agreements, first-line
reviews of a member, staff accounts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from npohub.core.http import attempt
from npohub.core.permissions import require
from npohub.orgs.selectors import organization_visible_to

from .. import forms, registry, selectors, services
from ..permissions import can_act_on_member, can_see_part, hub_view
from .common import signed_in, submit


@login_required
@require_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    hub = selectors.hub_get_for(user, pk)
    form = forms.MemberAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写组织和加入日期"))
        return redirect("hubs:hub-detail", pk=hub.pk)
    data = form.cleaned_data
    org = forms.find_organization(organization_visible_to(user), data["organization"])
    if org is None:
        messages.error(request, _("未找到该组织"))
        return redirect("hubs:hub-detail", pk=hub.pk)
    stay = services.MembershipInput(
        joined_on=data["joined_on"],
        role=data["role"],
        agreement_signed_on=data["agreement_signed_on"],
        agreement_terms=data["agreement_terms"],
    )
    attempt(
        request,
        lambda: services.hub_member_add(actor=user, hub=hub, organization=org, data=stay),
        success=_("已加入成员名册：%(name)s") % {"name": org.name},
    )
    return redirect("hubs:hub-detail", pk=hub.pk)


@login_required
@require_POST
def member_leave(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    user = signed_in(request)
    hub = selectors.hub_get_for(user, pk)
    membership = selectors.membership_get(hub, membership_pk)
    submit(
        request,
        forms.MemberLeaveForm(request.POST),
        lambda d: services.hub_member_leave(
            actor=user, membership=membership, left_on=d["left_on"], reason=d["reason"]
        ),
        done=_("已登记退出"),
        invalid=_("请填写退出日期"),
    )
    return redirect("hubs:hub-detail", pk=hub.pk)


@login_required
@require_POST
def member_agreement(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    user = signed_in(request)
    hub = selectors.hub_get_for(user, pk)
    membership = selectors.membership_get(hub, membership_pk)
    submit(
        request,
        forms.AgreementForm(request.POST),
        lambda d: services.hub_member_sign_agreement(
            actor=user, membership=membership, signed_on=d["signed_on"], terms=d["terms"]
        ),
        done=_("已登记监管协议"),
        invalid=_("请填写签订日期和协议条款"),
    )
    return redirect("hubs:hub-detail", pk=hub.pk)


@login_required
@require_http_methods(["GET", "POST"])
def member_review(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    """A member's first-line reviews (初审) by the hub: its filings and annual reports, with an
    optional score. Hub staff record; whoever sees the hub's reviews reads them."""
    user = signed_in(request)
    hub = selectors.hub_get_for(user, pk)
    membership = selectors.membership_get(hub, membership_pk)
    require(can_see_part(hub_view(user, hub).sees_reviews))
    org = membership.organization
    subjects = [(s.code, str(s.label)) for s in registry.review_subjects()]
    form = forms.ReviewForm(request.POST or None, subjects=subjects)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        recorded = attempt(
            request,
            lambda: services.hub_review_record(
                actor=user,
                hub=hub,
                organization=org,
                subject=data["subject"],
                subject_id=data["subject_id"].strip(),
                opinion=data["opinion"],
                comment=data["comment"],
                score=data["score"],
            ),
            form=form,
            success=_("已记录初审意见"),
        )
        if recorded is not None:
            return redirect("hubs:member-review", pk=hub.pk, membership_pk=membership.pk)
    items = [(code, label, registry.subject_items(code, org)) for code, label in subjects]
    context = {
        "hub": hub,
        "membership": membership,
        "org": org,
        "form": form,
        "may_review": bool(can_act_on_member(user, hub, org)),
        "items": items,
        "reviews": list(selectors.hub_reviews(hub, organization=org)[:100]),
    }
    return render(request, "hubs/member_review.html", context)


@login_required
@require_POST
def staff_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    hub = selectors.hub_get_for(user, pk)
    form = forms.StaffForm(request.POST)
    account = selectors.account_named(form.cleaned_data["username"]) if form.is_valid() else None
    if account is None:
        messages.error(request, _("未找到该账号"))
        return redirect("hubs:hub-detail", pk=hub.pk)
    attempt(
        request,
        lambda: services.hub_staff_add(actor=user, hub=hub, user=account),
        success=_("已设为枢纽工作人员：%(user)s") % {"user": account},
    )
    return redirect("hubs:hub-detail", pk=hub.pk)


@login_required
@require_POST
def staff_remove(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    user = signed_in(request)
    hub = selectors.hub_get_for(user, pk)
    account = selectors.hub_staff_get(hub, user_pk)
    attempt(
        request,
        lambda: services.hub_staff_remove(actor=user, hub=hub, user=account),
        success=_("已取消其枢纽工作人员身份"),
    )
    return redirect("hubs:hub-detail", pk=hub.pk)
