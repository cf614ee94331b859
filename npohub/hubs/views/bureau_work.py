"""What hubs do for the bureau, as pages: notices to members (and the members' inbox) and
problems raised with the bureau (问题上报), assigned and resolved there."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from npohub.core.http import attempt
from npohub.orgs.selectors import organization_visible_to

from .. import forms, selectors, services
from ..permissions import can_view_hubs, can_work_escalation
from .common import page_of, require_page, signed_in


@login_required
@require_POST
def notice_send(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    hub = selectors.hub_get_for(user, pk)
    form = forms.NoticeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写通知标题和内容"))
        return redirect("hubs:hub-detail", pk=hub.pk)
    notice = attempt(
        request,
        lambda: services.hub_notice_send(
            actor=user, hub=hub, title=form.cleaned_data["title"], body=form.cleaned_data["body"]
        ),
    )
    if notice is not None:
        messages.success(request, _("通知已发送给 %(n)s 个成员") % {"n": notice.receipts.count()})
    return redirect("hubs:hub-detail", pk=hub.pk)


@login_required
@require_GET
def notice_inbox(request: HttpRequest) -> HttpResponse:
    receipts = selectors.notice_receipts_for(signed_in(request))
    return render(request, "hubs/notice_inbox.html", {"page_obj": page_of(request, receipts)})


@login_required
@require_POST
def notice_read(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    receipt = selectors.notice_receipt_get_for(user, pk)
    attempt(request, lambda: services.hub_notice_mark_read(actor=user, receipt=receipt))
    return redirect("hubs:notice-inbox")


@login_required
@require_POST
def escalation_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    hub = selectors.hub_get_for(user, pk)
    form = forms.EscalationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写涉及组织、问题和情况说明"))
        return redirect("hubs:hub-detail", pk=hub.pk)
    org = organization_visible_to(user).filter(pk=form.cleaned_data["organization"]).first()
    if org is None:
        messages.error(request, _("该组织不是本枢纽的成员"))
        return redirect("hubs:hub-detail", pk=hub.pk)
    esc = attempt(
        request,
        lambda: services.escalation_raise(
            actor=user,
            hub=hub,
            organization=org,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
        ),
        success=_("已上报民政局"),
    )
    if esc is None:
        return redirect("hubs:hub-detail", pk=hub.pk)
    return redirect("hubs:escalation-detail", pk=esc.pk)


@login_required
@require_GET
def escalation_list(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    require_page(can_view_hubs(user))
    form = forms.EscalationFilterForm(request.GET or None)
    qs = selectors.escalation_visible_to(user)
    if form.is_valid() and form.cleaned_data["state"]:
        qs = qs.filter(state=form.cleaned_data["state"])
    return render(
        request, "hubs/escalation_list.html", {"form": form, "page_obj": page_of(request, qs)}
    )


@login_required
@require_GET
def escalation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    esc = selectors.escalation_get_for(user, pk)
    context = {
        "esc": esc,
        "may_work": bool(can_work_escalation(user, esc)),
        "assign_form": forms.AssignForm(),
        "resolve_form": forms.ResolveForm(),
        "history": services.escalation_history(esc),
    }
    return render(request, "hubs/escalation_detail.html", context)


@login_required
@require_POST
def escalation_assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    esc = selectors.escalation_get_for(user, pk)
    assignee = selectors.account_named(request.POST.get("assignee", ""))
    if assignee is None:
        messages.error(request, _("未找到该账号"))
    else:
        attempt(
            request,
            lambda: services.escalation_assign(actor=user, escalation=esc, assignee=assignee),
            success=_("已分派"),
        )
    return redirect("hubs:escalation-detail", pk=esc.pk)


@login_required
@require_POST
def escalation_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    esc = selectors.escalation_get_for(user, pk)
    attempt(
        request,
        lambda: services.escalation_resolve(
            actor=user, escalation=esc, resolution=request.POST.get("resolution", "")
        ),
        success=_("已办结"),
    )
    return redirect("hubs:escalation-detail", pk=esc.pk)
