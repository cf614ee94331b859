"""Staff pages of the spot checks: plans, the draw and its log, checks, the inspector pool.

Thin: fetch with the scoped selectors (missing and forbidden are the same 404), shape input
with ``forms.py``, call one service; a ``DomainError`` becomes a form error or a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from npohub.accounts.models import BUREAU_ROLES, User
from npohub.core.errors import DomainError, InvalidTransition, NotFound
from npohub.core.params import query_year
from npohub.core.permissions import is_signed_in
from npohub.orgs.models import Organization
from npohub.regions.models import Region

from . import selectors, services
from .forms import (
    ConcludeForm,
    ConflictForm,
    FindingForm,
    InspectorEditForm,
    InspectorForm,
    NoticeForm,
    OrderForm,
    PlanForm,
    ReplaceForm,
    ReportForm,
    VerifyForm,
    apply_errors,
)
from .models import RECTIFICATION_LABELS, CheckStatus, Inspector, RectificationOrder, SpotCheck
from .permissions import can_work_on_check, is_bureau_for
from .workflows import STATE_LABELS, state_label

PAGE_SIZE = 20


def sees_plans(user: Any) -> bool:
    return is_signed_in(user) and (user.is_superuser or user.role in BUREAU_ROLES)


def sees_checks(user: Any) -> bool:
    return is_signed_in(user) and (sees_plans(user) or user.role == "inspector")


def _bureau_region(user: Any) -> Region:
    region = getattr(user, "region", None)
    if region is None:
        raise Http404(_("页面不存在"))
    return region  # type: ignore[no-any-return]


def _get(fetch: Any, user: Any, pk: int) -> Any:
    try:
        return fetch(user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


# --- plans --------------------------------------------------------------------------------------


@login_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    if not sees_checks(request.user):
        raise Http404(_("页面不存在"))
    year = query_year(request.GET)
    state = request.GET.get("state", "")
    plans = selectors.plan_list_for(
        request.user,
        year=year,
        state=state if state in STATE_LABELS else "",
    )
    page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    for plan in page.object_list:
        plan.state_text = state_label(plan.state)
    return render(
        request,
        "inspections/plan_list.html",
        {
            "page_obj": page,
            "states": list(STATE_LABELS.items()),
            "year": year or "",
            "state": state,
            "may_create": sees_plans(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    if not sees_plans(request.user):
        raise Http404(_("页面不存在"))
    region = _bureau_region(request.user)
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(
                actor=request.user, authority_region=region, data=form.to_input()
            )
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("抽查计划已保存为草稿"))
            return redirect("inspections:plan-detail", pk=plan.pk)
    return render(
        request, "inspections/plan_form.html", {"form": form, "region": region, "plan": None}
    )


@login_required
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get(selectors.plan_get_for, request.user, pk)
    manages = is_bureau_for(request.user, plan.authority_region.code)
    checks = list(selectors.checks_of_plan_for(request.user, plan))
    today = timezone.localdate()
    for check in checks:
        check.order_states = [
            str(RECTIFICATION_LABELS[o.status_on(today)]) for o in check.orders.all()
        ]
    return render(
        request,
        "inspections/plan_detail.html",
        {
            "plan": plan,
            "state_text": state_label(plan.state),
            "moves": services.plan_moves_for(request.user, plan) if manages else [],
            "manages": manages,
            "checks": checks,
            "log": list(selectors.draw_log_of(plan)) if manages else [],
            "history": services.plan_history(plan) if manages else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get(selectors.plan_get_for, request.user, pk)
    if not is_bureau_for(request.user, plan.authority_region.code):
        raise Http404(_("页面不存在"))
    form = PlanForm(request.POST or None, initial=PlanForm.initial_of(plan))
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(actor=request.user, plan=plan, data=form.to_input())
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("抽查计划已修改"))
            return redirect("inspections:plan-detail", pk=plan.pk)
    return render(
        request,
        "inspections/plan_form.html",
        {"form": form, "region": plan.authority_region, "plan": plan},
    )


@login_required
@require_POST
def plan_transition(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get(selectors.plan_get_for, request.user, pk)
    try:
        plan = services.plan_transition(
            actor=request.user, plan=plan, transition=request.POST.get("transition", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("计划状态：%(s)s") % {"s": state_label(plan.state)})
    return redirect("inspections:plan-detail", pk=plan.pk)


# --- checks -------------------------------------------------------------------------------------


@login_required
@require_GET
def check_list(request: HttpRequest) -> HttpResponse:
    if not sees_checks(request.user):
        raise Http404(_("页面不存在"))
    status = request.GET.get("status", "")
    checks = selectors.check_list_for(
        request.user, status=status if status in CheckStatus.values else ""
    )
    page = Paginator(checks, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/check_list.html",
        {"page_obj": page, "statuses": CheckStatus.choices, "status": status},
    )


def _check_context(request: HttpRequest, check: SpotCheck, **forms: Any) -> dict[str, Any]:
    today = timezone.localdate()
    orders = list(check.orders.all())
    for order in orders:
        order.state = order.status_on(today)
        order.state_text = RECTIFICATION_LABELS[order.state]
    return {
        "check": check,
        "plan": check.plan,
        "findings": list(check.findings.all()),
        "orders": orders,
        "may_work": can_work_on_check(request.user, check).allowed,
        "manages": is_bureau_for(request.user, check.plan.authority_region.code),
        "notice_form": forms.get("notice_form")
        or NoticeForm(initial={"scope_notice": check.plan.scope}),
        "finding_form": forms.get("finding_form") or FindingForm(),
        "conclude_form": forms.get("conclude_form") or ConcludeForm(initial={"checked_on": today}),
        "order_form": forms.get("order_form") or OrderForm(),
        "report_form": ReportForm(initial={"rectified_on": today}),
        "verify_form": VerifyForm(initial={"verified_on": today}),
        "replace_form": forms.get("replace_form") or ReplaceForm(),
        "history": services.check_history(check),
    }


@login_required
@require_GET
def check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    check = _get(selectors.check_get_for, request.user, pk)
    return render(request, "inspections/check_detail.html", _check_context(request, check))


def _check_action(
    request: HttpRequest, pk: int, form_class: Any, key: str, act: Any
) -> HttpResponse:
    check = _get(selectors.check_get_for, request.user, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(check, form.cleaned_data)
        except InvalidTransition as exc:
            # The check moved meanwhile (another user's notice or conclusion): its form is gone
            # from the page, so the refusal is a message on the check's page.
            messages.error(request, exc.message)
            return redirect("inspections:check-detail", pk=check.pk)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("inspections:check-detail", pk=check.pk)
    check = _get(selectors.check_get_for, request.user, pk)
    return render(
        request, "inspections/check_detail.html", _check_context(request, check, **{key: form})
    )


@login_required
@require_POST
def check_notice(request: HttpRequest, pk: int) -> HttpResponse:
    return _check_action(
        request,
        pk,
        NoticeForm,
        "notice_form",
        lambda check, d: services.check_notify(
            actor=request.user,
            check=check,
            scope_notice=d["scope_notice"],
            scheduled_on=d["scheduled_on"],
        ),
    )


@login_required
@require_POST
def finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _check_action(
        request,
        pk,
        FindingForm,
        "finding_form",
        lambda check, d: services.finding_add(
            actor=request.user,
            check=check,
            type=d["type"],
            description=d["description"],
            legal_basis=d["legal_basis"],
        ),
    )


@login_required
@require_POST
def check_conclude(request: HttpRequest, pk: int) -> HttpResponse:
    return _check_action(
        request,
        pk,
        ConcludeForm,
        "conclude_form",
        lambda check, d: services.check_conclude(
            actor=request.user,
            check=check,
            checked_on=d["checked_on"],
            conclusion=d["conclusion"],
            note=d["note"],
        ),
    )


@login_required
@require_POST
def order_issue(request: HttpRequest, pk: int) -> HttpResponse:
    def act(check: SpotCheck, d: dict[str, Any]) -> Any:
        finding = check.findings.filter(pk=d["finding"]).first() if d.get("finding") else None
        return services.rectification_order_issue(
            actor=request.user,
            check=check,
            requirement=d["requirement"],
            deadline=d["deadline"],
            finding=finding,
        )

    return _check_action(request, pk, OrderForm, "order_form", act)


@login_required
@require_POST
def check_replace(request: HttpRequest, pk: int) -> HttpResponse:
    return _check_action(
        request,
        pk,
        ReplaceForm,
        "replace_form",
        lambda check, d: services.check_replace_inspector(
            actor=request.user, check=check, user_id=d["user_id"], reason=d["reason"]
        ),
    )


def _order_action(request: HttpRequest, pk: int, form_class: Any, act: Any) -> HttpResponse:
    order: RectificationOrder = _get(selectors.order_get_for, request.user, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写日期"))
    else:
        try:
            act(order, form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已保存"))
    try:
        selectors.check_get_for(request.user, order.spot_check_id)
    except NotFound:
        return redirect("portal:inspection-plan", pk=order.spot_check.plan_id)
    return redirect("inspections:check-detail", pk=order.spot_check_id)


@login_required
@require_POST
def order_report(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_action(
        request,
        pk,
        ReportForm,
        lambda order, d: services.rectification_report(
            actor=request.user, order=order, rectified_on=d["rectified_on"], note=d["note"]
        ),
    )


@login_required
@require_POST
def order_verify(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_action(
        request,
        pk,
        VerifyForm,
        lambda order, d: services.rectification_verify(
            actor=request.user, order=order, verified_on=d["verified_on"]
        ),
    )


# --- the inspector pool -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def pool_list(request: HttpRequest) -> HttpResponse:
    if not sees_checks(request.user):
        raise Http404(_("页面不存在"))
    form = InspectorForm(request.POST or None) if sees_plans(request.user) else None
    if request.method == "POST":
        if form is None:
            raise Http404(_("页面不存在"))
        if form.is_valid():
            user = User.objects.filter(username=form.cleaned_data["username"]).first()
            if user is None:
                form.add_error("username", _("没有这个用户"))
            else:
                try:
                    services.inspector_add(
                        actor=request.user,
                        user=user,
                        region=_bureau_region(request.user),
                        department=form.cleaned_data["department"],
                        id_number=form.cleaned_data["id_number"],
                    )
                except DomainError as exc:
                    apply_errors(form, exc)
                else:
                    messages.success(request, _("已列入检查人员名录"))
                    return redirect("inspections:pool-list")
    q = request.GET.get("q", "").strip()
    page = Paginator(selectors.pool_list_for(request.user, q=q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "inspections/pool_list.html", {"page_obj": page, "form": form, "q": q})


@login_required
@require_http_methods(["GET", "POST"])
def pool_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry: Inspector = _get(selectors.inspector_get_for, request.user, pk)
    manages = is_bureau_for(request.user, entry.region.code)
    initial = {
        "department": entry.department,
        "id_number": entry.id_number,
        "is_active": entry.is_active,
    }
    form = InspectorEditForm(request.POST or None, initial=initial) if manages else None
    if request.method == "POST":
        if form is None:
            raise Http404(_("页面不存在"))
        if form.is_valid():
            try:
                services.inspector_update(actor=request.user, entry=entry, **form.cleaned_data)
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存"))
                return redirect("inspections:pool-edit", pk=entry.pk)
    return render(
        request,
        "inspections/pool_edit.html",
        {
            "entry": entry,
            "form": form,
            "conflict_form": ConflictForm(),
            "conflicts": list(selectors.conflicts_of(entry)),
        },
    )


@login_required
@require_POST
def conflict_declare(request: HttpRequest, pk: int) -> HttpResponse:
    entry: Inspector = _get(selectors.inspector_get_for, request.user, pk)
    form = ConflictForm(request.POST)
    if form.is_valid():
        org = Organization.objects.filter(pk=form.cleaned_data["organization"]).first()
        if org is None:
            messages.error(request, _("组织不存在"))
        else:
            try:
                services.conflict_declare(
                    actor=request.user,
                    entry=entry,
                    organization=org,
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("已申报回避"))
    else:
        messages.error(request, _("请填写组织编号和回避事由"))
    return redirect("inspections:pool-edit", pk=entry.pk)


@login_required
@require_POST
def conflict_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    conflict = _get(selectors.conflict_get_for, request.user, pk)
    try:
        services.conflict_withdraw(actor=request.user, conflict=conflict)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤回回避申报"))
    return redirect("inspections:pool-edit", pk=conflict.inspector_id)
