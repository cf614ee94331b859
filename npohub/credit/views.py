"""Staff and organisation pages of the credit app (mounted at /credit/)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from npohub.core.errors import DomainError, NotFound
from npohub.core.permissions import require
from npohub.orgs.models import AccessReason, OrganizationAccess

from . import selectors, services
from .forms import (
    BarredPersonForm,
    ContactForm,
    CreditRequestForm,
    DecisionForm,
    EvaluateForm,
    FactForm,
    ListingFilterForm,
    RuleForm,
)
from .models import BarredPerson, CreditRule
from .navigation import sees_credit_lists
from .permissions import (
    can_enter_fact,
    can_file_request,
    can_manage_credit,
    can_manage_rules,
    can_record_contact,
)
from .workflows import STATE_LABELS, history_of, workflow_of

PAGE_SIZE = 30


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _fail(form: forms.Form, exc: DomainError) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    placed = False
    for key, text in details.items():
        if key in form.fields:
            form.add_error(key, exc.message if len(str(text)) <= 4 else str(text))
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _bureau_only(user: Any) -> None:
    """The bureau's credit desk (requests, rules, barred persons, contacts, late entries): the
    same permission decides the list page's buttons (``may_manage``) and the pages."""
    if not can_manage_credit(user):
        raise Http404(_("页面不存在"))


@login_required
@require_GET
def listing_list(request: HttpRequest) -> HttpResponse:
    """Both lists for the user's region, with filters; htmx gets only the table."""
    if not sees_credit_lists(request.user):
        raise Http404(_("页面不存在"))
    form = ListingFilterForm(request.GET or None)
    listings = selectors.listing_list_for(request.user, form.to_filters())
    page = Paginator(listings, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page_obj": page, "may_manage": bool(can_manage_credit(request.user))}
    template = (
        "credit/partials/listing_table.html" if _htmx(request) else "credit/listing_list.html"
    )
    return render(request, template, context)


@login_required
@require_GET
def organization_credit(request: HttpRequest, org_id: int) -> HttpResponse:
    """An organisation's credit file: facts, listings with their events, requests."""
    try:
        org = selectors.credit_file_for(request.user, org_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    listings = list(selectors.listings_of(org))
    context = {
        "org": org,
        "facts": selectors.facts_of(org),
        "listings": listings,
        "requests": selectors.requests_of(org),
        "may_enter": bool(can_enter_fact(request.user, org)),
        "may_file": bool(can_file_request(request.user, org)),
        "may_contact": bool(can_record_contact(request.user, org)),
        "state_labels": STATE_LABELS,
    }
    return render(request, "credit/organization_credit.html", context)


@login_required
@require_GET
def my_credit(request: HttpRequest) -> HttpResponse:
    """An organisation account lands on its own credit file."""
    grant = (
        OrganizationAccess.objects.filter(user_id=request.user.pk, reason=AccessReason.OWN)
        .order_by("organization_id")
        .first()
    )
    if grant is None:
        raise Http404(_("页面不存在"))
    return redirect("credit:organization-credit", org_id=grant.organization_id)


@login_required
@require_http_methods(["GET", "POST"])
def fact_create(request: HttpRequest, org_id: int) -> HttpResponse:
    """The bureau enters a fact by hand (court notice, another department's penalty)."""
    try:
        org = selectors.credit_file_for(request.user, org_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not can_enter_fact(request.user, org):
        raise Http404(_("页面不存在"))
    form = FactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.credit_fact_enter(actor=request.user, organization=org, **form.cleaned_data)
        except DomainError as exc:
            _fail(form, exc)
        else:
            messages.success(request, _("信用信息已录入"))
            return redirect("credit:organization-credit", org_id=org.pk)
    return render(request, "credit/fact_form.html", {"form": form, "org": org})


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest, listing_id: int) -> HttpResponse:
    """The organisation objects to a listing or applies for credit repair."""
    try:
        listing = selectors.listing_get_for(request.user, listing_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not can_file_request(request.user, listing.organization):
        raise Http404(_("页面不存在"))
    form = CreditRequestForm(
        request.POST or None, initial={"kind": request.GET.get("kind", "objection")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.credit_request_file(actor=request.user, listing=listing, **form.cleaned_data)
        except DomainError as exc:
            _fail(form, exc)
        else:
            messages.success(request, _("申请已提交，请等待民政部门处理"))
            return redirect("credit:organization-credit", org_id=listing.organization_id)
    return render(request, "credit/request_form.html", {"form": form, "listing": listing})


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    """The bureau's inbox of objections and repair applications."""
    _bureau_only(request.user)
    state = request.GET.get("state", "filed")
    qs = selectors.request_list_for(request.user, state=state, kind=request.GET.get("kind", ""))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page_obj": page, "state": state, "state_labels": STATE_LABELS}
    return render(request, "credit/request_list.html", context)


@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        item = selectors.request_get_for(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    context = {
        "item": item,
        "steps": workflow_of(item).moves_for(request.user, item),
        "form": DecisionForm(),
        "state_labels": STATE_LABELS,
        "history": history_of(item),
    }
    return render(request, "credit/request_detail.html", context)


@login_required
@require_POST
def request_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    try:
        item = selectors.request_get_for(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    form = DecisionForm(request.POST)
    form.is_valid()
    try:
        services.credit_request_transition(
            actor=request.user,
            request=item,
            transition=transition,
            note=form.cleaned_data.get("note", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已处理"))
    return redirect("credit:request-detail", pk=item.pk)


@login_required
@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    _bureau_only(request.user)
    context = {"rules": selectors.rule_list(), "may_edit": bool(can_manage_rules(request.user))}
    return render(request, "credit/rule_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A city bureau switches a local rule on or off, or adjusts its parameters."""
    if not can_manage_rules(request.user):
        raise Http404(_("页面不存在"))
    rule = CreditRule.objects.filter(pk=pk).first()
    if rule is None:
        raise Http404(_("页面不存在"))
    initial = {"is_active": rule.is_active, **(rule.parameters or {})}
    form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.credit_rule_update(
                actor=request.user,
                rule=rule,
                is_active=form.cleaned_data["is_active"],
                parameters=form.parameters(),
            )
        except DomainError as exc:
            _fail(form, exc)
        else:
            messages.success(request, _("规则已更新"))
            return redirect("credit:rule-list")
    return render(request, "credit/rule_form.html", {"form": form, "rule": rule})


@login_required
@require_GET
def barred_list(request: HttpRequest) -> HttpResponse:
    _bureau_only(request.user)
    qs = selectors.barred_person_list(search=request.GET.get("q", "").strip())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "credit/barred_list.html", {"page_obj": page, "q": request.GET.get("q", "")}
    )


@login_required
@require_http_methods(["GET", "POST"])
def barred_create(request: HttpRequest) -> HttpResponse:
    _bureau_only(request.user)
    form = BarredPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.barred_person_add(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            _fail(form, exc)
        else:
            messages.success(request, _("已登记限制担任负责人人员"))
            return redirect("credit:barred-list")
    return render(request, "credit/barred_form.html", {"form": form})


@login_required
@require_POST
def barred_lift(request: HttpRequest, pk: int) -> HttpResponse:
    _bureau_only(request.user)
    barred = BarredPerson.objects.filter(pk=pk).first()
    if barred is None:
        raise Http404(_("页面不存在"))
    try:
        services.barred_person_lift(
            actor=request.user,
            barred=barred,
            on=timezone.localdate(),
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("限制已解除"))
    return redirect("credit:barred-list")


@login_required
@require_GET
def contact_list(request: HttpRequest) -> HttpResponse:
    _bureau_only(request.user)
    page = Paginator(selectors.contact_attempts_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "credit/contact_list.html", {"page_obj": page})


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest, org_id: int) -> HttpResponse:
    try:
        org = selectors.credit_file_for(request.user, org_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not can_record_contact(request.user, org):
        raise Http404(_("页面不存在"))
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_attempt_record(
                actor=request.user, organization=org, **form.cleaned_data
            )
        except DomainError as exc:
            _fail(form, exc)
        else:
            messages.success(request, _("联系记录已登记"))
            return redirect("credit:organization-credit", org_id=org.pk)
    return render(request, "credit/contact_form.html", {"form": form, "org": org})


@login_required
@require_GET
def late_entries(request: HttpRequest) -> HttpResponse:
    """Rule 28: credit information entered after the time limit."""
    _bureau_only(request.user)
    page = Paginator(selectors.late_entries_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "credit/late_entries.html", {"page_obj": page})


@login_required
@require_http_methods(["GET", "POST"])
def evaluate(request: HttpRequest) -> HttpResponse:
    """The bureau runs the evaluation for a date and sees the counts."""
    if not can_manage_credit(request.user):
        raise Http404(_("页面不存在"))
    form = EvaluateForm(request.POST or None, initial={"on": timezone.localdate()})
    result = None
    if request.method == "POST" and form.is_valid():
        require(can_manage_credit(request.user))
        result = services.credit_evaluate(on=form.cleaned_data["on"], actor=request.user)
        messages.success(request, _("评估完成"))
    return render(request, "credit/evaluate.html", {"form": form, "result": result})
