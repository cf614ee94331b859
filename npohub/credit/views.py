"""Staff and organisation pages of the credit app (mounted at /credit/).

Views fetch with the scoped selectors and let ``NotFound`` propagate (the one middleware answers
404), decide page access with ``permissions.py`` and run one service through
``core.http.attempt`` (a refusal becomes form errors or a message).
"""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from npohub.accounts.models import User
from npohub.core.http import attempt
from npohub.core.permissions import Decision
from npohub.orgs.models import AccessReason
from npohub.orgs.scope import scope_of
from npohub.orgs.selectors import region_filter_root

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
from .permissions import (
    barred_person_view,
    can_enter_fact,
    can_file_request,
    can_manage_credit,
    can_manage_rules,
    can_record_contact,
    can_view_lists,
)
from .workflows import STATE_LABELS, history_of, workflow_of

PAGE_SIZE = 30


def _me(request: HttpRequest) -> User:
    """The signed-in user (every view here is behind ``login_required``)."""
    return cast(User, request.user)


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _open(decision: Decision) -> None:
    """A page the user may not open does not exist for them (404, as for a missing record)."""
    if not decision:
        raise Http404(_("页面不存在"))


@login_required
@require_GET
def listing_list(request: HttpRequest) -> HttpResponse:
    """Both lists for the user's region, with filters; htmx gets only the table."""
    user = _me(request)
    _open(can_view_lists(user))
    form = ListingFilterForm(request.GET or None, region_root=region_filter_root(user))
    listings = selectors.listing_list_for(user, form.to_filters())
    page = Paginator(listings, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page_obj": page, "may_manage": bool(can_manage_credit(user))}
    template = (
        "credit/partials/listing_table.html" if _htmx(request) else "credit/listing_list.html"
    )
    return render(request, template, context)


@login_required
@require_GET
def organization_credit(request: HttpRequest, org_id: int) -> HttpResponse:
    """An organisation's credit file: facts, listings with their events, requests."""
    user = _me(request)
    org = selectors.credit_file_for(user, org_id)
    context = {
        "org": org,
        "facts": selectors.facts_of(org),
        "listings": list(selectors.listings_of(org)),
        "requests": selectors.requests_of(org),
        "may_enter": bool(can_enter_fact(user, org)),
        "may_file": bool(can_file_request(user, org)),
        "may_contact": bool(can_record_contact(user, org)),
        "state_labels": STATE_LABELS,
    }
    return render(request, "credit/organization_credit.html", context)


@login_required
@require_GET
def my_credit(request: HttpRequest) -> HttpResponse:
    """An organisation account lands on its own credit file."""
    owned = scope_of(_me(request)).granted_ids(reason=AccessReason.OWN)
    org_id = owned.order_by("organization_id").values_list("organization_id", flat=True).first()
    if org_id is None:
        raise Http404(_("页面不存在"))
    return redirect("credit:organization-credit", org_id=org_id)


@login_required
@require_http_methods(["GET", "POST"])
def fact_create(request: HttpRequest, org_id: int) -> HttpResponse:
    """The bureau enters a fact by hand (court notice, another department's penalty)."""
    user = _me(request)
    org = selectors.credit_file_for(user, org_id)
    _open(can_enter_fact(user, org))
    form = FactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entered = attempt(
            request,
            lambda: services.credit_fact_enter(actor=user, organization=org, **form.cleaned_data),
            form=form,
            success=_("信用信息已录入"),
        )
        if entered is not None:
            return redirect("credit:organization-credit", org_id=org.pk)
    return render(request, "credit/fact_form.html", {"form": form, "org": org})


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest, listing_id: int) -> HttpResponse:
    """The organisation objects to a listing or applies for credit repair."""
    user = _me(request)
    listing = selectors.listing_get_for(user, listing_id)
    _open(can_file_request(user, listing.organization))
    form = CreditRequestForm(
        request.POST or None, initial={"kind": request.GET.get("kind", "objection")}
    )
    if request.method == "POST" and form.is_valid():
        filed = attempt(
            request,
            lambda: services.credit_request_file(actor=user, listing=listing, **form.cleaned_data),
            form=form,
            success=_("申请已提交，请等待民政部门处理"),
        )
        if filed is not None:
            return redirect("credit:organization-credit", org_id=listing.organization_id)
    return render(request, "credit/request_form.html", {"form": form, "listing": listing})


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    """The bureau's inbox of objections and repair applications."""
    user = _me(request)
    _open(can_manage_credit(user))
    state = request.GET.get("state", "filed")
    qs = selectors.request_list_for(user, state=state, kind=request.GET.get("kind", ""))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page_obj": page, "state": state, "state_labels": STATE_LABELS}
    return render(request, "credit/request_list.html", context)


@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    item = selectors.request_get_for(user, pk)
    context = {
        "item": item,
        "steps": workflow_of(item).moves_for(user, item),
        "form": DecisionForm(),
        "state_labels": STATE_LABELS,
        "history": history_of(item),
    }
    return render(request, "credit/request_detail.html", context)


@login_required
@require_POST
def request_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    user = _me(request)
    item = selectors.request_get_for(user, pk)
    form = DecisionForm(request.POST)
    form.is_valid()
    attempt(
        request,
        lambda: services.credit_request_transition(
            actor=user,
            request=item,
            transition=transition,
            note=form.cleaned_data.get("note", ""),
        ),
        success=_("已处理"),
    )
    return redirect("credit:request-detail", pk=item.pk)


@login_required
@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    _open(can_manage_credit(user))
    context = {"rules": selectors.rule_list(), "may_edit": bool(can_manage_rules(user))}
    return render(request, "credit/rule_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A city bureau switches a local rule on or off, or adjusts its parameters."""
    user = _me(request)
    _open(can_manage_rules(user))
    rule = selectors.rule_get(pk)
    initial = {"is_active": rule.is_active, **(rule.parameters or {})}
    form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        updated = attempt(
            request,
            lambda: services.credit_rule_update(
                actor=user,
                rule=rule,
                is_active=form.cleaned_data["is_active"],
                parameters=form.parameters(),
            ),
            form=form,
            success=_("规则已更新"),
        )
        if updated is not None:
            return redirect("credit:rule-list")
    return render(request, "credit/rule_form.html", {"form": form, "rule": rule})


@login_required
@require_GET
def barred_list(request: HttpRequest) -> HttpResponse:
    """The register of barred persons; each row as ``permissions.barred_person_view`` says
    (the ID number masked as in the API)."""
    user = _me(request)
    _open(can_manage_credit(user))
    qs = selectors.barred_person_list(search=request.GET.get("q", "").strip())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(person, barred_person_view(user, person)) for person in page]
    return render(
        request,
        "credit/barred_list.html",
        {"page_obj": page, "rows": rows, "q": request.GET.get("q", "")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def barred_create(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    _open(can_manage_credit(user))
    form = BarredPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        added = attempt(
            request,
            lambda: services.barred_person_add(actor=user, **form.cleaned_data),
            form=form,
            success=_("已登记限制担任负责人人员"),
        )
        if added is not None:
            return redirect("credit:barred-list")
    return render(request, "credit/barred_form.html", {"form": form})


@login_required
@require_POST
def barred_lift(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    _open(can_manage_credit(user))
    barred = selectors.barred_person_get(pk)
    attempt(
        request,
        lambda: services.barred_person_lift(
            actor=user,
            barred=barred,
            on=timezone.localdate(),
            note=request.POST.get("note", ""),
        ),
        success=_("限制已解除"),
    )
    return redirect("credit:barred-list")


@login_required
@require_GET
def contact_list(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    _open(can_manage_credit(user))
    page = Paginator(selectors.contact_attempts_for(user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "credit/contact_list.html", {"page_obj": page})


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest, org_id: int) -> HttpResponse:
    user = _me(request)
    org = selectors.credit_file_for(user, org_id)
    _open(can_record_contact(user, org))
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        recorded = attempt(
            request,
            lambda: services.contact_attempt_record(
                actor=user, organization=org, **form.cleaned_data
            ),
            form=form,
            success=_("联系记录已登记"),
        )
        if recorded is not None:
            return redirect("credit:organization-credit", org_id=org.pk)
    return render(request, "credit/contact_form.html", {"form": form, "org": org})


@login_required
@require_GET
def late_entries(request: HttpRequest) -> HttpResponse:
    """Rule 28: credit information entered after the time limit."""
    user = _me(request)
    _open(can_manage_credit(user))
    page = Paginator(selectors.late_entries_for(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "credit/late_entries.html", {"page_obj": page})


@login_required
@require_http_methods(["GET", "POST"])
def evaluate(request: HttpRequest) -> HttpResponse:
    """The bureau runs the evaluation for a date and sees the counts."""
    user = _me(request)
    _open(can_manage_credit(user))
    form = EvaluateForm(request.POST or None, initial={"on": timezone.localdate()})
    result = None
    if request.method == "POST" and form.is_valid():
        result = attempt(
            request,
            lambda: services.credit_evaluate(on=form.cleaned_data["on"], actor=user),
            success=_("评估完成"),
        )
    return render(request, "credit/evaluate.html", {"form": form, "result": result})
