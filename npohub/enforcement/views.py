"""Staff pages of enforcement: complaints, penalty cases, dormant clean-up, closure statistics.

Views fetch with the scoped selectors (``NotFound`` → 404 for missing and forbidden alike),
shape input with ``forms.py`` and call one service. A service's ``PermissionDenied`` is a 403;
any other refusal comes back as a message (actions) or a form error, and nothing changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from npohub.accounts.models import BUREAU_ROLES
from npohub.core.errors import DomainError, NotFound, PermissionDenied
from npohub.orgs.selectors import organization_get_for
from npohub.regions.models import Region

from . import dormant, services
from .forms import (
    ActivityForm,
    AssignForm,
    CampaignForm,
    CaseFilterForm,
    CaseForm,
    ComplaintFilterForm,
    ContactForm,
    LinkCaseForm,
    NoteForm,
    OutcomeForm,
    PaymentForm,
    SanctionForm,
    StatisticsForm,
    TransitionForm,
    apply_service_errors,
)
from .permissions import (
    can_handle_complaint,
    can_manage_case,
    can_manage_complaint,
    is_enforcement_staff,
)
from .policy import policy_for
from .selectors import (
    CaseFilters,
    assignable_users_for,
    campaign_get_for,
    campaign_list_for,
    candidate_get_for,
    candidates_of,
    case_get_for,
    case_list_for,
    closure_statistics_for,
    complaint_get_for,
    complaint_list_for,
    complaint_notes_of,
    history_of,
    sanction_get_for,
)
from .workflows import (
    CASE_EDITABLE,
    DORMANT_CRITERIA,
    DORMANT_OUTCOMES,
    LEGAL_BASES,
    PENALTY_TYPES,
    case_state_label,
    complaint_state_label,
)

PAGE_SIZE = 20


def is_bureau_user(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or user.role in BUREAU_ROLES)
    )


def _staff_only(request: HttpRequest, check: Callable[[Any], bool] = is_enforcement_staff) -> None:
    if not check(request.user):
        raise Http404(_("页面不存在"))


def _fetch(getter: Callable[[Any, int], Any], request: HttpRequest, pk: int) -> Any:
    try:
        return getter(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _act(request: HttpRequest, call: Callable[[], Any], success: str) -> Any:
    """Run one service; a permission refusal is a 403, any other refusal a message."""
    try:
        result = call()
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, success)
    return result


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


# ---------------------------------------------------------------------------------------------
# Complaints


@login_required
@require_GET
def complaint_list(request: HttpRequest) -> HttpResponse:
    """Complaints in scope (and assigned to me); overdue replies are flagged."""
    _staff_only(request)
    form = ComplaintFilterForm(request.GET or None)
    today = timezone.localdate()
    page = _page(request, complaint_list_for(request.user, form.to_filters(), today=today))
    for c in page.object_list:
        c.state_text = complaint_state_label(c.state)
        c.overdue = c.is_overdue(today)
    context = {"form": form, "page_obj": page, "today": today, "tab": "complaints"}
    template = (
        "enforcement/partials/complaint_table.html"
        if getattr(request, "htmx", False)
        else "enforcement/complaint_list.html"
    )
    return render(request, template, context)


@login_required
@require_GET
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = _fetch(complaint_get_for, request, pk)
    today = timezone.localdate()
    manages = bool(can_manage_complaint(request.user, complaint.region_code))
    handles = bool(can_handle_complaint(request.user, complaint))
    moves = services.COMPLAINT_WORKFLOW.moves_for(request.user, complaint)
    org_cases = (
        case_list_for(request.user, CaseFilters()).filter(
            organization_id=complaint.organization_id
        )[:20]
        if complaint.organization_id and manages
        else []
    )
    context = {
        "complaint": complaint,
        "state_text": complaint_state_label(complaint.state),
        "overdue": complaint.is_overdue(today),
        "moves": moves,
        "manages": manages,
        "handles": handles,
        "notes": complaint_notes_of(complaint),
        "history": history_of(complaint=complaint),
        "assignees": assignable_users_for(complaint) if manages else [],
        "org_cases": org_cases,
        "tab": "complaints",
    }
    return render(request, "enforcement/complaint_detail.html", context)


@login_required
@require_POST
def complaint_transition(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = _fetch(complaint_get_for, request, pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _act(
            request,
            lambda: services.complaint_transition(
                actor=request.user,
                complaint=complaint,
                transition=data["transition"],
                note=data["note"],
                transferred_to=data["transferred_to"],
            ),
            _("已办理"),
        )
    else:
        messages.error(request, _("操作无效"))
    return redirect("enforcement:complaint-detail", pk=complaint.pk)


@login_required
@require_POST
def complaint_assign(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = _fetch(complaint_get_for, request, pk)
    form = AssignForm(request.POST)
    from npohub.accounts.models import User

    assignee = (
        User.objects.filter(pk=form.cleaned_data["assignee"]).first() if form.is_valid() else None
    )
    _act(
        request,
        lambda: services.complaint_assign(
            actor=request.user, complaint=complaint, assignee=assignee
        ),
        _("已分派"),
    )
    return redirect("enforcement:complaint-detail", pk=complaint.pk)


@login_required
@require_POST
def complaint_note(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = _fetch(complaint_get_for, request, pk)
    form = NoteForm(request.POST)
    text = form.cleaned_data["text"] if form.is_valid() else ""
    _act(
        request,
        lambda: services.complaint_note_add(actor=request.user, complaint=complaint, text=text),
        _("已记录"),
    )
    return redirect("enforcement:complaint-detail", pk=complaint.pk)


@login_required
@require_POST
def complaint_link(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = _fetch(complaint_get_for, request, pk)
    form = LinkCaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择处罚案件"))
        return redirect("enforcement:complaint-detail", pk=complaint.pk)
    try:
        case = case_get_for(request.user, form.cleaned_data["case"])
    except NotFound:
        messages.error(request, _("案件不存在"))
        return redirect("enforcement:complaint-detail", pk=complaint.pk)
    _act(
        request,
        lambda: services.complaint_link_case(actor=request.user, complaint=complaint, case=case),
        _("已关联处罚案件"),
    )
    return redirect("enforcement:complaint-detail", pk=complaint.pk)


# ---------------------------------------------------------------------------------------------
# Penalty cases


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request, is_bureau_user)
    form = CaseFilterForm(request.GET or None)
    page = _page(request, case_list_for(request.user, form.to_filters()))
    for case in page.object_list:
        case.state_text = case_state_label(case.state)
    context = {"form": form, "page_obj": page, "tab": "cases"}
    template = (
        "enforcement/partials/case_table.html"
        if getattr(request, "htmx", False)
        else "enforcement/case_list.html"
    )
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    """Open a case against an organisation in scope (from a complaint when one is given)."""
    _staff_only(request, is_bureau_user)
    source = request.POST if request.method == "POST" else request.GET
    org = None
    if str(source.get("organization", "")).isdigit():
        try:
            org = organization_get_for(request.user, int(source["organization"]))
        except NotFound:
            org = None
    complaint = None
    if str(source.get("complaint", "")).isdigit():
        complaint = _fetch(complaint_get_for, request, int(source["complaint"]))
        org = org or complaint.organization
    if org is None:
        return render(request, "enforcement/case_org_choice.html", _org_choices(request))
    initial = {"organization": org.pk, "complaint": complaint.pk if complaint else None}
    form = CaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(
                actor=request.user,
                organization=org,
                title=form.cleaned_data["title"],
                facts=form.cleaned_data["facts"],
                complaint=complaint,
            )
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from exc
        except DomainError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已立案：%(number)s") % {"number": case.number})
            return redirect("enforcement:case-detail", pk=case.pk)
    context = {"form": form, "org": org, "complaint": complaint, "tab": "cases"}
    return render(request, "enforcement/case_form.html", context)


def _org_choices(request: HttpRequest) -> dict[str, Any]:
    from npohub.orgs.selectors import OrganizationFilters, organization_list_for

    q = request.GET.get("q", "").strip()
    orgs = (
        list(
            organization_list_for(request.user, OrganizationFilters(search=q))
            .exclude(kind="community_group")
            .exclude(status__in=("deregistered", "revoked"))[:20]
        )
        if q
        else []
    )
    return {"orgs": orgs, "q": q, "tab": "cases"}


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _fetch(case_get_for, request, pk)
    today = timezone.localdate()
    manages = bool(can_manage_case(request.user, case.organization))
    policy = policy_for(case.organization.address_code)
    fine = case.fine_total()
    sanctions = list(case.sanctions.all())
    for s in sanctions:
        s.label = PENALTY_TYPES[s.kind].label if s.kind in PENALTY_TYPES else s.kind
    basis = LEGAL_BASES[case.basis_key]
    context = {
        "case": case,
        "state_text": case_state_label(case.state),
        "manages": manages,
        "moves": services.CASE_WORKFLOW.moves_for(request.user, case),
        "sanctions": sanctions,
        "editable": manages and case.state in CASE_EDITABLE,
        "sanction_form": SanctionForm(),
        "allowed_kinds": [(k, PENALTY_TYPES[k].label) for k in PENALTY_TYPES if k in basis.kinds],
        "basis": basis,
        "fine": fine,
        "late_fee": case.late_fee(today, rate=policy["late_fee_rate_per_day"], fine=fine),
        "payment_form": PaymentForm(initial={"paid_on": today}),
        "history": history_of(case=case),
        "complaints": case.complaints.all(),
        "today": today,
        "tab": "cases",
    }
    return render(request, "enforcement/case_detail.html", context)


@login_required
@require_POST
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    case = _fetch(case_get_for, request, pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _act(
            request,
            lambda: services.case_transition(
                actor=request.user,
                case=case,
                transition=data["transition"],
                note=data["note"],
                decision_number=data["decision_number"],
            ),
            _("已办理"),
        )
    else:
        messages.error(request, _("操作无效"))
    return redirect("enforcement:case-detail", pk=case.pk)


@login_required
@require_POST
def sanction_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _fetch(case_get_for, request, pk)
    form = SanctionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("处罚内容填写有误"))
        return redirect("enforcement:case-detail", pk=case.pk)
    data = form.cleaned_data
    _act(
        request,
        lambda: services.sanction_add(
            actor=request.user,
            case=case,
            kind=data["kind"],
            amount=data["amount"],
            fine_basis=data["fine_basis"],
            basis_amount=data["basis_amount"],
            suspend_until=data["suspend_until"],
            person_name=data["person_name"],
            person_id_number=data["person_id_number"],
            note=data["note"],
        ),
        _("已拟定处罚内容"),
    )
    return redirect("enforcement:case-detail", pk=case.pk)


@login_required
@require_POST
def sanction_remove(request: HttpRequest, pk: int) -> HttpResponse:
    sanction = _fetch(sanction_get_for, request, pk)
    _act(
        request,
        lambda: services.sanction_remove(actor=request.user, sanction=sanction),
        _("已撤回该处罚内容"),
    )
    return redirect("enforcement:case-detail", pk=sanction.case_id)


@login_required
@require_POST
def case_payment(request: HttpRequest, pk: int) -> HttpResponse:
    case = _fetch(case_get_for, request, pk)
    form = PaymentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写缴款日期和金额"))
        return redirect("enforcement:case-detail", pk=case.pk)
    _act(
        request,
        lambda: services.case_payment_record(
            actor=request.user,
            case=case,
            paid_on=form.cleaned_data["paid_on"],
            amount=form.cleaned_data["amount"],
        ),
        _("已登记缴款"),
    )
    return redirect("enforcement:case-detail", pk=case.pk)


@login_required
@require_POST
def case_lift(request: HttpRequest, pk: int) -> HttpResponse:
    case = _fetch(case_get_for, request, pk)
    _act(
        request,
        lambda: services.case_lift_suspension(actor=request.user, case=case),
        _("已恢复活动，登记证书解除封存"),
    )
    return redirect("enforcement:case-detail", pk=case.pk)


@login_required
@require_POST
def case_propose(request: HttpRequest) -> HttpResponse:
    """Rule 25 for the bureau's region: propose revocation for consecutive missing reports."""
    _staff_only(request, is_bureau_user)
    found = _act(
        request,
        lambda: services.case_propose_missing_reports(actor=request.user),
        _("已完成连续未报送年度报告的排查"),
    )
    if found is not None:
        messages.info(request, _("拟立案的撤销登记案件：%(n)s 件") % {"n": len(found)})
    return redirect("enforcement:case-list")


# ---------------------------------------------------------------------------------------------
# Dormant-organisation campaigns and statistics


@login_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request, is_bureau_user)
    page = _page(request, campaign_list_for(request.user))
    return render(request, "enforcement/campaign_list.html", {"page_obj": page, "tab": "campaigns"})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    _staff_only(request, is_bureau_user)
    user: Any = request.user
    default_region = user.region.code if getattr(user, "region", None) else ""
    form = CampaignForm(request.POST or None, initial={"region": default_region})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        region = Region.objects.filter(code=data["region"].strip().ljust(12, "0")).first()
        if region is None:
            form.add_error("region", _("未知的区划代码"))
        else:
            try:
                campaign = dormant.campaign_create(
                    actor=user,
                    name=data["name"],
                    region=region,
                    report_years=data["report_years"] or None,
                    no_activity_since=data["no_activity_since"],
                )
            except PermissionDenied as exc:
                form.add_error("region", exc.message)
            except DomainError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("已创建清理行动"))
                return redirect("enforcement:campaign-detail", pk=campaign.pk)
    return render(request, "enforcement/campaign_form.html", {"form": form, "tab": "campaigns"})


@login_required
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _fetch(campaign_get_for, request, pk)
    outcome = request.GET.get("outcome", "")
    page = _page(
        request, candidates_of(campaign, outcome=outcome if outcome in DORMANT_OUTCOMES else "")
    )
    for c in page.object_list:
        c.criteria_text = [DORMANT_CRITERIA.get(code, code) for code in c.criteria]
        c.outcome_text = DORMANT_OUTCOMES.get(c.outcome, c.outcome)
    counts = dict.fromkeys(DORMANT_OUTCOMES, 0)
    for row in campaign.candidates.values_list("outcome", flat=True):
        counts[row] = counts.get(row, 0) + 1
    context = {
        "campaign": campaign,
        "page_obj": page,
        "outcome": outcome,
        "outcomes": [(k, v, counts.get(k, 0)) for k, v in DORMANT_OUTCOMES.items()],
        "criteria": DORMANT_CRITERIA,
        "contact_form": ContactForm(initial={"sent_on": timezone.localdate()}),
        "activity_form": ActivityForm(),
        "outcome_form": OutcomeForm(),
        "tab": "campaigns",
    }
    return render(request, "enforcement/campaign_detail.html", context)


@login_required
@require_POST
def campaign_scan(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _fetch(campaign_get_for, request, pk)
    found = _act(
        request,
        lambda: dormant.campaign_scan(actor=request.user, campaign=campaign),
        _("排查完成"),
    )
    if found is not None:
        messages.info(request, _("符合情形的组织：%(n)s 家") % {"n": found})
    return redirect("enforcement:campaign-detail", pk=campaign.pk)


@login_required
@require_POST
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _fetch(campaign_get_for, request, pk)
    _act(
        request,
        lambda: dormant.campaign_close(actor=request.user, campaign=campaign),
        _("行动已结束"),
    )
    return redirect("enforcement:campaign-detail", pk=campaign.pk)


@login_required
@require_POST
def candidate_contact(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = _fetch(candidate_get_for, request, pk)
    form = ContactForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _act(
            request,
            lambda: dormant.candidate_contact_record(
                actor=request.user,
                candidate=candidate,
                sent_on=data["sent_on"],
                signed=data["signed"],
                returned_on=data["returned_on"],
            ),
            _("已登记挂号信"),
        )
    else:
        messages.error(request, _("请填写寄出日期"))
    return redirect("enforcement:campaign-detail", pk=candidate.campaign_id)


@login_required
@require_POST
def candidate_activity(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = _fetch(candidate_get_for, request, pk)
    form = ActivityForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _act(
            request,
            lambda: dormant.activity_evidence_add(
                actor=request.user,
                candidate=candidate,
                occurred_on=data["occurred_on"],
                description=data["description"],
            ),
            _("已记录活动佐证"),
        )
    else:
        messages.error(request, _("请填写活动日期和情况"))
    return redirect("enforcement:campaign-detail", pk=candidate.campaign_id)


@login_required
@require_POST
def candidate_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = _fetch(candidate_get_for, request, pk)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _act(
            request,
            lambda: dormant.candidate_outcome_set(
                actor=request.user, candidate=candidate, outcome=data["outcome"], note=data["note"]
            ),
            _("已处置"),
        )
    else:
        messages.error(request, _("请选择处置结果并填写说明"))
    return redirect("enforcement:campaign-detail", pk=candidate.campaign_id)


@login_required
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    """Deregistered and revoked since a date, by management level (Rizhao-style)."""
    _staff_only(request, is_bureau_user)
    form = StatisticsForm(request.GET or None)
    since = (form.cleaned_data.get("since") if form.is_valid() else None) or dt.date(
        timezone.localdate().year - 3, 1, 1
    )
    rows = closure_statistics_for(request.user, since=since)
    totals = {
        "deregistered": sum(r.deregistered for r in rows),
        "revoked": sum(r.revoked for r in rows),
    }
    context = {"form": form, "since": since, "rows": rows, "totals": totals, "tab": "statistics"}
    return render(request, "enforcement/statistics.html", context)
