"""Staff pages of the spot checks: plans, the draw and its log, checks, the inspector pool.

Thin: fetch with the scoped selectors and let ``NotFound`` propagate (missing and forbidden are
the same 404, ``core.http``), shape input with ``forms.py``, run one service through
``core.http.attempt`` (a refusal becomes form errors or a message); who opens which page and
what a record shows are decided in ``permissions.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from npohub.accounts.models import User
from npohub.core.http import attempt
from npohub.core.params import query_year
from npohub.orgs.models import Organization

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
)
from .models import RECTIFICATION_LABELS, CheckStatus, Inspector, RectificationOrder, SpotCheck
from .permissions import (
    can_work_on_check,
    inspector_view,
    manages_region,
    sees_checks,
    sees_plans,
)
from .workflows import STATE_LABELS, state_label

PAGE_SIZE = 20


def _me(request: HttpRequest) -> User:
    """The signed-in user (every view here is behind ``login_required``)."""
    return cast(User, request.user)


# --- plans --------------------------------------------------------------------------------------


@login_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    if not sees_checks(user):
        raise Http404(_("页面不存在"))
    year = query_year(request.GET)
    state = request.GET.get("state", "")
    plans = selectors.plan_list_for(
        user,
        year=year,
        state=state if state in STATE_LABELS else "",
    )
    page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    for plan in page.object_list:
        shown: Any = plan
        shown.state_text = state_label(plan.state)
    return render(
        request,
        "inspections/plan_list.html",
        {
            "page_obj": page,
            "states": list(STATE_LABELS.items()),
            "year": year or "",
            "state": state,
            "may_create": sees_plans(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    if not sees_plans(user):
        raise Http404(_("页面不存在"))
    region = selectors.authority_region_of(user)
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        plan = attempt(
            request,
            lambda: services.plan_create(actor=user, authority_region=region, data=form.to_input()),
            form=form,
            success=_("抽查计划已保存为草稿"),
        )
        if plan is not None:
            return redirect("inspections:plan-detail", pk=plan.pk)
    return render(
        request, "inspections/plan_form.html", {"form": form, "region": region, "plan": None}
    )


@login_required
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    plan = selectors.plan_get_for(user, pk)
    manages = manages_region(user, plan.authority_region.code)
    checks = list(selectors.checks_of_plan_for(user, plan))
    today = timezone.localdate()
    for check in checks:
        shown: Any = check
        shown.order_states = [
            str(RECTIFICATION_LABELS[o.status_on(today)]) for o in check.orders.all()
        ]
    return render(
        request,
        "inspections/plan_detail.html",
        {
            "plan": plan,
            "state_text": state_label(plan.state),
            "moves": services.plan_moves_for(user, plan) if manages else [],
            "manages": manages,
            "checks": checks,
            "log": list(selectors.draw_log_of(plan)) if manages else [],
            "history": services.plan_history(plan) if manages else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    plan = selectors.plan_get_for(user, pk)
    if not manages_region(user, plan.authority_region.code):
        raise Http404(_("页面不存在"))
    form = PlanForm(request.POST or None, initial=PlanForm.initial_of(plan))
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            request,
            lambda: services.plan_update(actor=user, plan=plan, data=form.to_input()),
            form=form,
            success=_("抽查计划已修改"),
        )
        if saved is not None:
            return redirect("inspections:plan-detail", pk=plan.pk)
    return render(
        request,
        "inspections/plan_form.html",
        {"form": form, "region": plan.authority_region, "plan": plan},
    )


@login_required
@require_POST
def plan_transition(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    plan = selectors.plan_get_for(user, pk)
    moved = attempt(
        request,
        lambda: services.plan_transition(
            actor=user, plan=plan, transition=request.POST.get("transition", "")
        ),
    )
    if moved is not None:
        messages.success(request, _("计划状态：%(s)s") % {"s": state_label(moved.state)})
    return redirect("inspections:plan-detail", pk=plan.pk)


# --- checks -------------------------------------------------------------------------------------


@login_required
@require_GET
def check_list(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    if not sees_checks(user):
        raise Http404(_("页面不存在"))
    status = request.GET.get("status", "")
    checks = selectors.check_list_for(user, status=status if status in CheckStatus.values else "")
    page = Paginator(checks, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/check_list.html",
        {"page_obj": page, "statuses": CheckStatus.choices, "status": status},
    )


def _check_context(request: HttpRequest, check: SpotCheck, **forms: Any) -> dict[str, Any]:
    user = _me(request)
    today = timezone.localdate()
    orders = list(check.orders.all())
    for order in orders:
        shown: Any = order
        shown.state = order.status_on(today)
        shown.state_text = RECTIFICATION_LABELS[shown.state]
    return {
        "check": check,
        "plan": check.plan,
        "findings": list(check.findings.all()),
        "orders": orders,
        "may_work": can_work_on_check(user, check).allowed,
        "manages": manages_region(user, check.plan.authority_region.code),
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
    check = selectors.check_get_for(_me(request), pk)
    return render(request, "inspections/check_detail.html", _check_context(request, check))


def _names_no_field(form: forms.Form) -> bool:
    """The form's only errors are on top (the refusal named none of its inputs)."""
    return set(form.errors) == {NON_FIELD_ERRORS}


def _check_action(
    request: HttpRequest,
    pk: int,
    form_class: type[forms.Form],
    key: str,
    act: Callable[[SpotCheck, dict[str, Any]], object],
) -> HttpResponse:
    user = _me(request)
    check = selectors.check_get_for(user, pk)
    form = form_class(request.POST)
    if form.is_valid():
        done = attempt(
            request, lambda: act(check, form.cleaned_data), form=form, success=_("已保存")
        )
        if done is not None:
            return redirect("inspections:check-detail", pk=check.pk)
        if _names_no_field(form):
            # A refusal of none of the inputs: the check moved meanwhile (another user's notice
            # or conclusion) or the user may no longer act on it, so its form may be gone from
            # the page: the refusal is a message on the check's page.
            for error in form.non_field_errors():
                messages.error(request, str(error))
            return redirect("inspections:check-detail", pk=check.pk)
    check = selectors.check_get_for(user, pk)
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
            actor=_me(request),
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
            actor=_me(request),
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
            actor=_me(request),
            check=check,
            checked_on=d["checked_on"],
            conclusion=d["conclusion"],
            note=d["note"],
        ),
    )


@login_required
@require_POST
def order_issue(request: HttpRequest, pk: int) -> HttpResponse:
    def act(check: SpotCheck, d: dict[str, Any]) -> object:
        finding = check.findings.filter(pk=d["finding"]).first() if d.get("finding") else None
        return services.rectification_order_issue(
            actor=_me(request),
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
            actor=_me(request), check=check, user_id=d["user_id"], reason=d["reason"]
        ),
    )


def _order_action(
    request: HttpRequest,
    pk: int,
    form_class: type[forms.Form],
    act: Callable[[RectificationOrder, dict[str, Any]], object],
) -> HttpResponse:
    user = _me(request)
    order = selectors.order_get_for(user, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写日期"))
    else:
        attempt(request, lambda: act(order, form.cleaned_data), success=_("已保存"))
    if not selectors.sees_check(user, order.spot_check_id):
        # The organisation's own account follows its orders on the public page of the plan.
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
            actor=_me(request), order=order, rectified_on=d["rectified_on"], note=d["note"]
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
            actor=_me(request), order=order, verified_on=d["verified_on"]
        ),
    )


# --- the inspector pool -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def pool_list(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    if not sees_checks(me):
        raise Http404(_("页面不存在"))
    form = InspectorForm(request.POST or None) if sees_plans(me) else None
    if request.method == "POST":
        if form is None:
            raise Http404(_("页面不存在"))
        if form.is_valid():
            user = User.objects.filter(username=form.cleaned_data["username"]).first()
            if user is None:
                form.add_error("username", _("没有这个用户"))
            else:
                added = attempt(
                    request,
                    lambda: services.inspector_add(
                        actor=me,
                        user=user,
                        region=selectors.authority_region_of(me),
                        department=form.cleaned_data["department"],
                        id_number=form.cleaned_data["id_number"],
                    ),
                    form=form,
                    success=_("已列入检查人员名录"),
                )
                if added is not None:
                    return redirect("inspections:pool-list")
    q = request.GET.get("q", "").strip()
    page = Paginator(selectors.pool_list_for(me, q=q), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(entry, inspector_view(me, entry)) for entry in page.object_list]
    context = {"page_obj": page, "rows": rows, "form": form, "q": q}
    return render(request, "inspections/pool_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def pool_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    entry: Inspector = selectors.inspector_get_for(user, pk)
    view = inspector_view(user, entry)
    initial = {
        "department": entry.department,
        "id_number": entry.id_number,
        "is_active": entry.is_active,
    }
    form = InspectorEditForm(request.POST or None, initial=initial) if view.manages else None
    if request.method == "POST":
        if form is None:
            raise Http404(_("页面不存在"))
        if form.is_valid():
            saved = attempt(
                request,
                lambda: services.inspector_update(actor=user, entry=entry, **form.cleaned_data),
                form=form,
                success=_("已保存"),
            )
            if saved is not None:
                return redirect("inspections:pool-edit", pk=entry.pk)
    return render(
        request,
        "inspections/pool_edit.html",
        {
            "entry": entry,
            "view": view,
            "form": form,
            "conflict_form": ConflictForm() if view.may_declare_conflict else None,
            "conflicts": list(selectors.conflicts_of(entry)) if view.sees_conflicts else [],
        },
    )


@login_required
@require_POST
def conflict_declare(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    entry: Inspector = selectors.inspector_get_for(user, pk)
    form = ConflictForm(request.POST)
    if form.is_valid():
        org = Organization.objects.filter(pk=form.cleaned_data["organization"]).first()
        if org is None:
            messages.error(request, _("组织不存在"))
        else:
            attempt(
                request,
                lambda: services.conflict_declare(
                    actor=user, entry=entry, organization=org, reason=form.cleaned_data["reason"]
                ),
                success=_("已申报回避"),
            )
    else:
        messages.error(request, _("请填写组织编号和回避事由"))
    return redirect("inspections:pool-edit", pk=entry.pk)


@login_required
@require_POST
def conflict_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    conflict = selectors.conflict_get_for(user, pk)
    attempt(
        request,
        lambda: services.conflict_withdraw(actor=user, conflict=conflict),
        success=_("已撤回回避申报"),
    )
    return redirect("inspections:pool-edit", pk=conflict.inspector_id)
