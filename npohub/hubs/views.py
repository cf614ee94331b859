"""Staff pages of hub governance: hubs, rosters, notices, escalations, federations, platforms,
pairings and the streets' three lists. Thin: fetch with a scoped selector, call one service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from npohub.accounts.models import BUREAU_ROLES, User
from npohub.core.errors import DomainError, NotFound
from npohub.orgs.selectors import organization_visible_to
from npohub.regions.models import Level, Region

from . import forms, registry, selectors, services
from .models import (
    STREET_LISTS,
    Federation,
    HubKind,
    HubMembership,
    HubStatus,
    ListStatus,
)
from .permissions import (
    can_act_for_members,
    can_act_on_member,
    can_govern_hub,
    can_keep_roster,
    can_keep_street_lists,
    can_manage_federation,
    can_record_platform_activity,
    can_view_hubs,
    can_work_escalation,
)

PAGE_SIZE = 20

T = TypeVar("T")


def _require_view(request: HttpRequest) -> None:
    if not can_view_hubs(request.user):
        raise Http404(_("页面不存在"))


def _get(getter: Callable[[Any, int], T], request: HttpRequest, pk: int) -> T:
    """Fetch with a scoped ``*_get_for`` selector; missing and not yours are both a 404."""
    try:
        return getter(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _hub(request: HttpRequest, pk: int) -> Any:
    return _get(selectors.hub_get_for, request, pk)


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _act(request: HttpRequest, action: Callable[[], Any], done: str) -> None:
    """Run one service; a refusal becomes an error message, success the ``done`` message."""
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)


def _submit(
    request: HttpRequest,
    form: Any,
    action: Callable[[dict[str, Any]], Any],
    *,
    done: str,
    invalid: str,
) -> None:
    """Run one service with a small posted form's data (``invalid``: what to fill in)."""
    if form.is_valid():
        _act(request, lambda: action(form.cleaned_data), done)
    else:
        messages.error(request, invalid)


def _user_prefix(request: HttpRequest) -> str:
    user: Any = request.user
    return str(getattr(user, "scope_prefix", "") or "")


def _is_bureau(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_superuser or user.role in BUREAU_ROLES)


def _kind_counts(counts: dict[str, int]) -> list[tuple[str, int]]:
    return [(str(label), counts.get(kind, 0)) for kind, label in HubKind.choices]


# --- hubs ----------------------------------------------------------------------------------------


@login_required
@require_GET
def hub_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
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
        "page_obj": _page(request, selectors.hub_list_for(request.user, filters)),
        "counts": _kind_counts(selectors.hub_counts_by_kind(_user_prefix(request))),
        "may_recognise": _is_bureau(request),
    }
    return render(request, "hubs/hub_list.html", context)


@login_required
@require_GET
def hub_detail(request: HttpRequest, pk: int) -> HttpResponse:
    hub = _hub(request, pk)
    user: Any = request.user
    members = list(selectors.hub_members(hub)[:500])
    context = {
        "hub": hub,
        "members": members,
        "current_count": sum(1 for m in members if m.left_on is None),
        "staff": list(selectors.hub_staff_users(hub)),
        "platforms": list(hub.platforms.select_related("region").all()),
        "notices": list(selectors.hub_notices(hub)[:20]),
        "escalations": list(hub.escalations.select_related("organization")[:20]),
        "may_govern": bool(can_govern_hub(user, hub)) and hub.status == HubStatus.RECOGNISED,
        "may_keep_roster": bool(can_keep_roster(user, hub)),
        "may_act": bool(can_act_for_members(user, hub)),
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
    if not _is_bureau(request):
        raise Http404(_("页面不存在"))
    user: Any = request.user
    form = forms.RecognitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        org = forms.find_organization(organization_visible_to(user), data["organization"])
        if org is None:
            form.add_error("organization", _("未找到该组织"))
        else:
            try:
                hub = services.hub_recognize(
                    actor=user,
                    organization=org,
                    data=services.RecognitionInput(
                        kind=data["kind"],
                        decision_number=data["decision_number"],
                        decision_date=data["decision_date"],
                        valid_from=data["valid_from"],
                        valid_until=data["valid_until"],
                        region=data["region"],
                        category=data["category"],
                        scope_note=data["scope_note"],
                        decision_text=data["decision_text"],
                    ),
                )
            except DomainError as exc:
                forms.apply_service_errors(form, exc)
            else:
                messages.success(request, _("已认定“%(name)s”") % {"name": hub.name})
                return redirect("hubs:hub-detail", pk=hub.pk)
    return render(request, "hubs/form_page.html", {"form": form, "title": _("认定枢纽型社会组织")})


@login_required
@require_POST
def hub_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    hub = _hub(request, pk)
    _submit(
        request,
        forms.RevokeForm(request.POST),
        lambda d: services.hub_revoke(actor=request.user, hub=hub, reason=d["reason"]),
        done=_("已撤销认定，该枢纽工作人员对成员的权限已即时终止"),
        invalid=_("请填写撤销原因"),
    )
    return redirect("hubs:hub-detail", pk=hub.pk)


@login_required
@require_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    hub = _hub(request, pk)
    form = forms.MemberAddForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        org = forms.find_organization(organization_visible_to(request.user), data["organization"])
        if org is None:
            messages.error(request, _("未找到该组织"))
        else:
            stay = services.MembershipInput(
                joined_on=data["joined_on"],
                role=data["role"],
                agreement_signed_on=data["agreement_signed_on"],
                agreement_terms=data["agreement_terms"],
            )
            _act(
                request,
                lambda: services.hub_member_add(
                    actor=request.user, hub=hub, organization=org, data=stay
                ),
                _("已加入成员名册：%(name)s") % {"name": org.name},
            )
    else:
        messages.error(request, _("请填写组织和加入日期"))
    return redirect("hubs:hub-detail", pk=hub.pk)


@login_required
@require_POST
def member_leave(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    hub, membership = _membership(request, pk, membership_pk)
    _submit(
        request,
        forms.MemberLeaveForm(request.POST),
        lambda d: services.hub_member_leave(
            actor=request.user, membership=membership, left_on=d["left_on"], reason=d["reason"]
        ),
        done=_("已登记退出"),
        invalid=_("请填写退出日期"),
    )
    return redirect("hubs:hub-detail", pk=hub.pk)


@login_required
@require_POST
def staff_add(request: HttpRequest, pk: int) -> HttpResponse:
    hub = _hub(request, pk)
    form = forms.StaffForm(request.POST)
    account = (
        User.objects.filter(username=form.data.get("username", "").strip()).first()
        if form.is_valid()
        else None
    )
    if account is None:
        messages.error(request, _("未找到该账号"))
        return redirect("hubs:hub-detail", pk=hub.pk)
    _act(
        request,
        lambda: services.hub_staff_add(actor=request.user, hub=hub, user=account),
        _("已设为枢纽工作人员：%(user)s") % {"user": account},
    )
    return redirect("hubs:hub-detail", pk=hub.pk)


@login_required
@require_POST
def staff_remove(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    hub = _hub(request, pk)
    account = User.objects.filter(pk=user_pk).first()
    if account is None:
        raise Http404(_("账号不存在"))
    _act(
        request,
        lambda: services.hub_staff_remove(actor=request.user, hub=hub, user=account),
        _("已取消其枢纽工作人员身份"),
    )
    return redirect("hubs:hub-detail", pk=hub.pk)


@login_required
@require_POST
def notice_send(request: HttpRequest, pk: int) -> HttpResponse:
    hub = _hub(request, pk)
    form = forms.NoticeForm(request.POST)
    if form.is_valid():
        try:
            notice = services.hub_notice_send(actor=request.user, hub=hub, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("通知已发送给 %(n)s 个成员") % {"n": notice.receipts.count()}
            )
    else:
        messages.error(request, _("请填写通知标题和内容"))
    return redirect("hubs:hub-detail", pk=hub.pk)


@login_required
@require_GET
def notice_inbox(request: HttpRequest) -> HttpResponse:
    receipts = selectors.notice_receipts_for(request.user)
    return render(request, "hubs/notice_inbox.html", {"page_obj": _page(request, receipts)})


@login_required
@require_POST
def notice_read(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = selectors.notice_receipts_for(request.user).filter(pk=pk).first()
    if receipt is None:
        raise Http404(_("通知不存在"))
    try:
        services.hub_notice_mark_read(actor=request.user, receipt=receipt)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("hubs:notice-inbox")


# --- escalations ---------------------------------------------------------------------------------


@login_required
@require_POST
def escalation_create(request: HttpRequest, pk: int) -> HttpResponse:
    hub = _hub(request, pk)
    form = forms.EscalationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写涉及组织、问题和情况说明"))
        return redirect("hubs:hub-detail", pk=hub.pk)
    org = organization_visible_to(request.user).filter(pk=form.cleaned_data["organization"]).first()
    if org is None:
        messages.error(request, _("该组织不是本枢纽的成员"))
        return redirect("hubs:hub-detail", pk=hub.pk)
    try:
        esc = services.escalation_raise(
            actor=request.user,
            hub=hub,
            organization=org,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("hubs:hub-detail", pk=hub.pk)
    messages.success(request, _("已上报民政局"))
    return redirect("hubs:escalation-detail", pk=esc.pk)


@login_required
@require_GET
def escalation_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    form = forms.EscalationFilterForm(request.GET or None)
    qs = selectors.escalation_visible_to(request.user)
    if form.is_valid() and form.cleaned_data["state"]:
        qs = qs.filter(state=form.cleaned_data["state"])
    return render(
        request, "hubs/escalation_list.html", {"form": form, "page_obj": _page(request, qs)}
    )


@login_required
@require_GET
def escalation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    esc = _get(selectors.escalation_get_for, request, pk)
    context = {
        "esc": esc,
        "may_work": bool(can_work_escalation(request.user, esc)),
        "assign_form": forms.AssignForm(),
        "resolve_form": forms.ResolveForm(),
    }
    return render(request, "hubs/escalation_detail.html", context)


@login_required
@require_POST
def escalation_assign(request: HttpRequest, pk: int) -> HttpResponse:
    esc = _get(selectors.escalation_get_for, request, pk)
    assignee = User.objects.filter(username=request.POST.get("assignee", "").strip()).first()
    if assignee is None:
        messages.error(request, _("未找到该账号"))
    else:
        _act(
            request,
            lambda: services.escalation_assign(
                actor=request.user, escalation=esc, assignee=assignee
            ),
            _("已分派"),
        )
    return redirect("hubs:escalation-detail", pk=esc.pk)


@login_required
@require_POST
def escalation_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    esc = _get(selectors.escalation_get_for, request, pk)
    _act(
        request,
        lambda: services.escalation_resolve(
            actor=request.user, escalation=esc, resolution=request.POST.get("resolution", "")
        ),
        _("已办结"),
    )
    return redirect("hubs:escalation-detail", pk=esc.pk)


# --- federations ---------------------------------------------------------------------------------


@login_required
@require_GET
def federation_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    user: Any = request.user
    own = _user_prefix(request)
    prefix = request.GET.get("region", "").strip() or own
    if not user.is_superuser and own and not prefix.startswith(own):
        prefix = own
    qs = selectors.federation_visible_to(user).filter(street_code__startswith=prefix)
    page = _page(request, qs)
    context = {
        "coverage": selectors.federation_coverage(prefix) if prefix else None,
        "page_obj": page,
        # The 三项清单 link only where the user may open the lists (the page's own check).
        "list_codes": {f.street_code for f in page if can_keep_street_lists(user, f.street_code)},
        "prefix": prefix,
        "may_create": user.is_superuser or user.role in (*BUREAU_ROLES, "street_officer"),
    }
    return render(request, "hubs/federation_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def federation_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not can_manage_federation(user, _user_prefix(request) or "x"):
        raise Http404(_("页面不存在"))
    form = forms.FederationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        org = forms.find_organization(organization_visible_to(user), data["organization"])
        if org is None:
            form.add_error("organization", _("未找到该组织"))
        else:
            try:
                fed = services.federation_create(
                    actor=user,
                    street=data["street"],
                    organization=org,
                    data=services.FederationInput(
                        established_on=data["established_on"],
                        decision_number=data["decision_number"],
                        chair_name=data["chair_name"],
                        chair_title=data["chair_title"],
                        chaired_by_street_head=data["chaired_by_street_head"],
                    ),
                )
            except DomainError as exc:
                forms.apply_service_errors(form, exc)
            else:
                messages.success(request, _("已成立“%(name)s”") % {"name": fed.name})
                return redirect("hubs:hub-detail", pk=fed.hub_id)
    return render(request, "hubs/form_page.html", {"form": form, "title": _("成立街道联合会")})


# --- platforms and pairings ----------------------------------------------------------------------


@login_required
@require_GET
def platform_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    prefix = _user_prefix(request) or "37"
    qs = selectors.platform_visible_to(request.user)
    level = request.GET.get("level", "")
    if level:
        qs = qs.filter(level=level)
    context = {
        "coverage": selectors.platform_coverage(prefix),
        "page_obj": _page(request, qs),
        "level": level,
        "may_create": _is_bureau(request),
    }
    return render(request, "hubs/platform_list.html", context)


@login_required
@require_GET
def pairing_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    qs = selectors.pairing_visible_to(request.user)
    context = {"page_obj": _page(request, qs), "may_create": _is_bureau(request)}
    return render(request, "hubs/pairing_list.html", context)


@login_required
@require_POST
def pairing_close(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = _get(selectors.pairing_get_for, request, pk)
    _act(
        request,
        lambda: services.pairing_close(
            actor=request.user,
            pairing=pairing,
            ended_on=timezone.localdate(),
            outcome=request.POST.get("outcome", ""),
        ),
        _("已结束结对并记录成效"),
    )
    return redirect("hubs:pairing-list")


# --- the street's three lists --------------------------------------------------------------------


def _street(request: HttpRequest, code: str) -> Region:
    street = Region.objects.active().filter(code=code, level=Level.TOWNSHIP).first()
    if street is None or not can_keep_street_lists(request.user, street.code):
        raise Http404(_("页面不存在"))
    return street


@login_required
@require_GET
def street_lists(request: HttpRequest, code: str) -> HttpResponse:
    street = _street(request, code)
    lists = [
        (key, model._meta.verbose_name, list(selectors.street_list_items(key, street.code)[:100]))
        for key, model in STREET_LISTS.items()
    ]
    federation = Federation.objects.filter(street=street, dissolved_on__isnull=True).first()
    context = {
        "street": street,
        "lists": lists,
        "federation": federation,
        "form": forms.ListItemForm(),
        "statuses": ListStatus.choices,
    }
    return render(request, "hubs/street_lists.html", context)


@login_required
@require_POST
def street_list_add(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    street = _street(request, code)
    _submit(
        request,
        forms.ListItemForm(request.POST),
        lambda d: services.street_list_item_create(
            actor=request.user, list_kind=kind, street=street, **d
        ),
        done=_("已添加"),
        invalid=_("请填写标题"),
    )
    return redirect("hubs:street-lists", code=street.code)


# --- roster: agreement and first-line review ---------------------------------------------------


def _membership(request: HttpRequest, pk: int, membership_pk: int) -> tuple[Any, HubMembership]:
    hub = _hub(request, pk)
    try:
        return hub, selectors.membership_get(hub, membership_pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
@require_POST
def member_agreement(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    hub, membership = _membership(request, pk, membership_pk)
    _submit(
        request,
        forms.AgreementForm(request.POST),
        lambda d: services.hub_member_sign_agreement(
            actor=request.user, membership=membership, signed_on=d["signed_on"], terms=d["terms"]
        ),
        done=_("已登记监管协议"),
        invalid=_("请填写签订日期和协议条款"),
    )
    return redirect("hubs:hub-detail", pk=hub.pk)


@login_required
@require_http_methods(["GET", "POST"])
def member_review(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    """A member's first-line reviews (初审) by the hub: its filings and annual reports, with an
    optional score. Hub staff record; everyone who sees the hub reads."""
    hub, membership = _membership(request, pk, membership_pk)
    org = membership.organization
    subjects = [(s.code, str(s.label)) for s in registry.review_subjects()]
    may_review = bool(can_act_on_member(request.user, hub, org))
    form = forms.ReviewForm(request.POST or None, subjects=subjects)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.hub_review_record(
                actor=request.user,
                hub=hub,
                organization=org,
                subject=data["subject"],
                subject_id=data["subject_id"].strip(),
                opinion=data["opinion"],
                comment=data["comment"],
                score=data["score"],
            )
        except DomainError as exc:
            forms.apply_service_errors(form, exc)
        else:
            messages.success(request, _("已记录初审意见"))
            return redirect("hubs:member-review", pk=hub.pk, membership_pk=membership.pk)
    items = [(code, label, registry.subject_items(code, org)) for code, label in subjects]
    context = {
        "hub": hub,
        "membership": membership,
        "org": org,
        "form": form,
        "may_review": may_review,
        "items": items,
        "reviews": list(selectors.hub_reviews(hub, organization=org)[:100]),
    }
    return render(request, "hubs/member_review.html", context)


# --- platforms ---------------------------------------------------------------------------------


def _platform(request: HttpRequest, pk: int) -> Any:
    return _get(selectors.platform_get_for, request, pk)


@login_required
@require_http_methods(["GET", "POST"])
def platform_create(request: HttpRequest) -> HttpResponse:
    if not _is_bureau(request):
        raise Http404(_("页面不存在"))
    user: Any = request.user
    form = forms.PlatformForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        operator = selectors.hub_visible_to(user).filter(pk=data["operator"]).first()
        if operator is None:
            form.add_error("operator", _("未找到该枢纽"))
        else:
            try:
                platform = services.platform_create(
                    actor=user,
                    data=services.PlatformInput(
                        name=data["name"],
                        level=data["level"],
                        region=data["region"],
                        operator=operator,
                        opened_on=data["opened_on"],
                        offerings=list(data["offerings"]),
                        address=data["address"],
                        area_sqm=data["area_sqm"],
                    ),
                )
            except DomainError as exc:
                forms.apply_service_errors(form, exc)
            else:
                messages.success(request, _("已设立“%(name)s”") % {"name": platform.name})
                return redirect("hubs:platform-detail", pk=platform.pk)
    return render(request, "hubs/form_page.html", {"form": form, "title": _("设立服务平台")})


@login_required
@require_GET
def platform_detail(request: HttpRequest, pk: int) -> HttpResponse:
    platform = _platform(request, pk)
    context = {
        "platform": platform,
        "visits": list(platform.visits.all()[:100]),
        "honours": list(platform.honours.all()[:100]),
        "may_record": bool(can_record_platform_activity(request.user, platform)),
        "visit_form": forms.VisitForm(initial={"visited_on": timezone.localdate()}),
        "honour_form": forms.HonourForm(initial={"awarded_on": timezone.localdate()}),
    }
    return render(request, "hubs/platform_detail.html", context)


@login_required
@require_POST
def platform_visit(request: HttpRequest, pk: int) -> HttpResponse:
    platform = _platform(request, pk)
    _submit(
        request,
        forms.VisitForm(request.POST),
        lambda d: services.platform_record_visit(actor=request.user, platform=platform, **d),
        done=_("已记录参观学习"),
        invalid=_("请填写参观日期、来访单位和人数"),
    )
    return redirect("hubs:platform-detail", pk=platform.pk)


@login_required
@require_POST
def platform_honour(request: HttpRequest, pk: int) -> HttpResponse:
    platform = _platform(request, pk)
    _submit(
        request,
        forms.HonourForm(request.POST),
        lambda d: services.platform_record_honour(actor=request.user, platform=platform, **d),
        done=_("已记录荣誉"),
        invalid=_("请填写荣誉名称、授予单位和日期"),
    )
    return redirect("hubs:platform-detail", pk=platform.pk)


# --- pairing -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def pairing_create(request: HttpRequest) -> HttpResponse:
    if not _is_bureau(request):
        raise Http404(_("页面不存在"))
    user: Any = request.user
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
            try:
                services.pairing_create(
                    actor=user,
                    senior=senior,
                    community_group=group,
                    topic=data["topic"],
                    started_on=data["started_on"],
                )
            except DomainError as exc:
                forms.apply_service_errors(form, exc)
            else:
                messages.success(request, _("已建立结对共建"))
                return redirect("hubs:pairing-list")
    return render(request, "hubs/form_page.html", {"form": form, "title": _("建立结对共建")})


# --- federation detail -------------------------------------------------------------------------


def _federation(request: HttpRequest, pk: int) -> Federation:
    return _get(selectors.federation_get_for, request, pk)


@login_required
@require_GET
def federation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    fed = _federation(request, pk)
    chair = fed.chair
    context = {
        "fed": fed,
        "members": list(selectors.hub_members(fed.hub)[:500]),
        "external": list(fed.external_members.all()),
        "may_manage": bool(can_manage_federation(request.user, fed.street_code)),
        "may_keep_lists": bool(can_keep_street_lists(request.user, fed.street_code)),
        "chair_form": forms.ChairForm(
            initial={
                "chair_name": chair.name if chair else "",
                "chair_title": fed.chair_title,
                "chaired_by_street_head": fed.chaired_by_street_head,
            }
        ),
        "external_form": forms.ExternalMemberForm(initial={"joined_on": timezone.localdate()}),
        "today": timezone.localdate(),
    }
    return render(request, "hubs/federation_detail.html", context)


@login_required
@require_POST
def federation_chair(request: HttpRequest, pk: int) -> HttpResponse:
    fed = _federation(request, pk)
    _submit(
        request,
        forms.ChairForm(request.POST),
        lambda d: services.federation_set_chair(actor=request.user, federation=fed, **d),
        done=_("已更新会长"),
        invalid=_("请填写会长姓名"),
    )
    return redirect("hubs:federation-detail", pk=fed.pk)


@login_required
@require_POST
def federation_external_add(request: HttpRequest, pk: int) -> HttpResponse:
    fed = _federation(request, pk)
    _submit(
        request,
        forms.ExternalMemberForm(request.POST),
        lambda d: services.federation_external_member_add(actor=request.user, federation=fed, **d),
        done=_("已加入单位会员"),
        invalid=_("请填写单位名称、类型和加入日期"),
    )
    return redirect("hubs:federation-detail", pk=fed.pk)


@login_required
@require_POST
def federation_external_leave(request: HttpRequest, pk: int) -> HttpResponse:
    member = _get(selectors.external_member_get_for, request, pk)
    _submit(
        request,
        forms.MemberLeaveForm(request.POST),
        lambda d: services.federation_external_member_leave(
            actor=request.user, member=member, left_on=d["left_on"]
        ),
        done=_("已登记退出"),
        invalid=_("请填写退出日期"),
    )
    return redirect("hubs:federation-detail", pk=member.federation_id)


@login_required
@require_POST
def street_list_status(request: HttpRequest, code: str, kind: str, item_pk: int) -> HttpResponse:
    street = _street(request, code)
    try:
        item = selectors.street_list_items(kind, street.code).filter(pk=item_pk).first()
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if item is None:
        raise Http404(_("清单条目不存在"))
    _act(
        request,
        lambda: services.street_list_item_set_status(
            actor=request.user, item=item, status=request.POST.get("status", "")
        ),
        _("已更新状态"),
    )
    return redirect("hubs:street-lists", code=street.code)


# --- coverage with drill-down ------------------------------------------------------------------


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    """Federation and platform coverage for the user's region, drilling down city → district →
    street, and recognised hubs per kind."""
    _require_view(request)
    prefix = selectors.coverage_prefix_for(request.user, request.GET.get("region", ""))
    if prefix is None:
        raise Http404(_("页面不存在"))
    level = selectors.coverage_group_level(prefix)
    area = Region.objects.active().filter(code=prefix.ljust(12, "0")).first() if prefix else None
    own = _user_prefix(request)
    cuts = [n for n in (4, 6, 9) if n <= len(prefix) and n >= len(own)]
    names = dict(
        Region.objects.filter(code__in=[prefix[:n].ljust(12, "0") for n in cuts]).values_list(
            "code", "name"
        )
    )
    trail = [(prefix[:n], names.get(prefix[:n].ljust(12, "0"), prefix[:n])) for n in cuts]
    context = {
        "prefix": prefix,
        "area": area,
        "trail": trail,
        "federations": selectors.federation_coverage(prefix, group_level=level),
        "drill": level < Level.TOWNSHIP,
        "platforms": selectors.platform_coverage(prefix),
        "kinds": _kind_counts(selectors.hub_counts_by_kind(prefix)),
    }
    return render(request, "hubs/coverage.html", context)
