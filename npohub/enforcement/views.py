"""Staff pages of enforcement: complaints, penalty cases, dormant clean-up, closure statistics.

Views fetch with the scoped selectors and let ``NotFound`` propagate (the core middleware
answers 404 for missing and forbidden alike), shape input with ``forms.py`` and run one service
through ``core.http.attempt``. The actions are offered only to those who may take them, so a
service's ``PermissionDenied`` is a 403; any other refusal comes back as a message (actions) or
a form error, and nothing changes. What a user may do with a record and see of it comes from
``permissions.complaint_view`` / ``case_view``, which the API reads too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from npohub.accounts.models import User
from npohub.core.charts import chart_data, month_label
from npohub.core.errors import NotFound
from npohub.core.http import attempt
from npohub.core.params import query_id
from npohub.orgs.models import Organization
from npohub.orgs.selectors import (
    OrganizationFilters,
    organization_list_for,
    organization_visible_to,
)
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
)
from .permissions import case_view, complaint_view, has_bureau_pages, is_enforcement_staff
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
    case_outcomes_for,
    closure_statistics_for,
    complaint_categories_for,
    complaint_get_for,
    complaint_list_for,
    complaint_notes_of,
    enforcement_trend_for,
    history_of,
    sanction_get_for,
)
from .workflows import (
    DORMANT_CRITERIA,
    DORMANT_OUTCOMES,
    LEGAL_BASES,
    PENALTY_TYPES,
    case_state_label,
    complaint_state_label,
)

PAGE_SIZE = 20


def _me(request: HttpRequest) -> User:
    """The user of a ``login_required`` view."""
    return cast(User, request.user)


def _require_page(allowed: bool) -> None:
    """A page the user's role does not have is the 404 of a missing page."""
    if not allowed:
        raise NotFound(_("页面不存在"))


def _page(request: HttpRequest, qs: QuerySet[Any]) -> Page[Any]:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


# ---------------------------------------------------------------------------------------------
# Complaints


@login_required
@require_GET
def complaint_list(request: HttpRequest) -> HttpResponse:
    """Complaints in scope (and assigned to me); overdue replies are flagged."""
    user = _me(request)
    _require_page(is_enforcement_staff(user))
    form = ComplaintFilterForm(request.GET or None)
    today = timezone.localdate()
    page = _page(request, complaint_list_for(user, form.to_filters(), today=today))
    for c in page.object_list:
        shown: Any = c
        shown.state_text = complaint_state_label(c.state)
        shown.overdue = c.is_overdue(today)
    context = {"form": form, "page_obj": page, "today": today, "tab": "complaints"}
    template = (
        "enforcement/partials/complaint_table.html"
        if _htmx(request)
        else "enforcement/complaint_list.html"
    )
    return render(request, template, context)


@login_required
@require_GET
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    complaint = complaint_get_for(user, pk)
    today = timezone.localdate()
    view = complaint_view(user, complaint)
    org_cases = (
        case_list_for(user, CaseFilters()).filter(organization_id=complaint.organization_id)[:20]
        if complaint.organization_id and view.manages
        else []
    )
    context = {
        "complaint": complaint,
        "contact": view.contact(complaint),
        "state_text": complaint_state_label(complaint.state),
        "overdue": complaint.is_overdue(today),
        "moves": services.COMPLAINT_WORKFLOW.moves_for(user, complaint),
        "manages": view.manages,
        "handles": view.handles,
        "notes": complaint_notes_of(complaint),
        "history": history_of(complaint=complaint),
        "assignees": assignable_users_for(complaint) if view.manages else [],
        "org_cases": org_cases,
        "tab": "complaints",
    }
    return render(request, "enforcement/complaint_detail.html", context)


@login_required
@require_POST
def complaint_transition(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    complaint = complaint_get_for(user, pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        attempt(
            request,
            lambda: services.complaint_transition(
                actor=user,
                complaint=complaint,
                transition=data["transition"],
                note=data["note"],
                transferred_to=data["transferred_to"],
            ),
            success=_("已办理"),
            forbidden_is_403=True,
        )
    else:
        messages.error(request, _("操作无效"))
    return redirect("enforcement:complaint-detail", pk=complaint.pk)


@login_required
@require_POST
def complaint_assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    complaint = complaint_get_for(user, pk)
    form = AssignForm(request.POST)
    assignee = (
        User.objects.filter(pk=form.cleaned_data["assignee"]).first() if form.is_valid() else None
    )
    attempt(
        request,
        lambda: services.complaint_assign(actor=user, complaint=complaint, assignee=assignee),
        success=_("已分派"),
        forbidden_is_403=True,
    )
    return redirect("enforcement:complaint-detail", pk=complaint.pk)


@login_required
@require_POST
def complaint_note(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    complaint = complaint_get_for(user, pk)
    form = NoteForm(request.POST)
    text = form.cleaned_data["text"] if form.is_valid() else ""
    attempt(
        request,
        lambda: services.complaint_note_add(actor=user, complaint=complaint, text=text),
        success=_("已记录"),
        forbidden_is_403=True,
    )
    return redirect("enforcement:complaint-detail", pk=complaint.pk)


@login_required
@require_POST
def complaint_link(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    complaint = complaint_get_for(user, pk)
    form = LinkCaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择处罚案件"))
        return redirect("enforcement:complaint-detail", pk=complaint.pk)
    case = case_get_for(user, form.cleaned_data["case"])
    attempt(
        request,
        lambda: services.complaint_link_case(actor=user, complaint=complaint, case=case),
        success=_("已关联处罚案件"),
        forbidden_is_403=True,
    )
    return redirect("enforcement:complaint-detail", pk=complaint.pk)


# ---------------------------------------------------------------------------------------------
# Penalty cases


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    _require_page(has_bureau_pages(user))
    form = CaseFilterForm(request.GET or None)
    page = _page(request, case_list_for(user, form.to_filters()))
    for case in page.object_list:
        shown: Any = case
        shown.state_text = case_state_label(case.state)
    context = {"form": form, "page_obj": page, "tab": "cases"}
    template = (
        "enforcement/partials/case_table.html" if _htmx(request) else "enforcement/case_list.html"
    )
    return render(request, template, context)


def _chosen_org(user: User, pk: int | None) -> Organization | None:
    """The organisation picked for a new case, when the user may see it (else the search)."""
    if pk is None:
        return None
    return organization_visible_to(user).select_related("authority_region").filter(pk=pk).first()


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    """Open a case against an organisation in scope (from a complaint when one is given)."""
    user = _me(request)
    _require_page(has_bureau_pages(user))
    source = request.POST if request.method == "POST" else request.GET
    org = _chosen_org(user, query_id(source, "organization"))
    complaint_id = query_id(source, "complaint")
    complaint = complaint_get_for(user, complaint_id) if complaint_id is not None else None
    if complaint is not None:
        org = org or complaint.organization
    if org is None:
        return render(request, "enforcement/case_org_choice.html", _org_choices(request, user))
    initial = {"organization": org.pk, "complaint": complaint.pk if complaint else None}
    form = CaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        chosen = org
        case = attempt(
            request,
            lambda: services.case_open(
                actor=user,
                organization=chosen,
                title=form.cleaned_data["title"],
                facts=form.cleaned_data["facts"],
                complaint=complaint,
            ),
            form=form,
            forbidden_is_403=True,
        )
        if case is not None:
            messages.success(request, _("已立案：%(number)s") % {"number": case.number})
            return redirect("enforcement:case-detail", pk=case.pk)
    context = {"form": form, "org": org, "complaint": complaint, "tab": "cases"}
    return render(request, "enforcement/case_form.html", context)


def _org_choices(request: HttpRequest, user: User) -> dict[str, Any]:
    q = request.GET.get("q", "").strip()
    orgs = (
        list(
            organization_list_for(user, OrganizationFilters(search=q))
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
    user = _me(request)
    case = case_get_for(user, pk)
    today = timezone.localdate()
    view = case_view(user, case)
    policy = policy_for(case.organization.address_code)
    fine = case.fine_total()
    sanctions = list(case.sanctions.all())
    for s in sanctions:
        shown: Any = s
        shown.label = PENALTY_TYPES[s.kind].label if s.kind in PENALTY_TYPES else s.kind
        shown.id_number_shown = view.person_id_number(s)
    basis = LEGAL_BASES[case.basis_key]
    context = {
        "case": case,
        "state_text": case_state_label(case.state),
        "manages": view.manages,
        "moves": services.CASE_WORKFLOW.moves_for(user, case),
        "sanctions": sanctions,
        "editable": view.editable,
        "sanction_form": SanctionForm(),
        "allowed_kinds": [(k, PENALTY_TYPES[k].label) for k in PENALTY_TYPES if k in basis.kinds],
        "basis": basis,
        "fine": fine,
        "late_fee": case.late_fee(today, rate=policy["late_fee_rate_per_day"], fine=fine),
        "payment_form": PaymentForm(initial={"paid_on": today}),
        "history": history_of(case=case),
        "complaints": case.complaints.all() if view.sees_complaints else [],
        "today": today,
        "tab": "cases",
    }
    return render(request, "enforcement/case_detail.html", context)


@login_required
@require_POST
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    case = case_get_for(user, pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        attempt(
            request,
            lambda: services.case_transition(
                actor=user,
                case=case,
                transition=data["transition"],
                note=data["note"],
                decision_number=data["decision_number"],
            ),
            success=_("已办理"),
            forbidden_is_403=True,
        )
    else:
        messages.error(request, _("操作无效"))
    return redirect("enforcement:case-detail", pk=case.pk)


@login_required
@require_POST
def sanction_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    case = case_get_for(user, pk)
    form = SanctionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("处罚内容填写有误"))
        return redirect("enforcement:case-detail", pk=case.pk)
    data = form.cleaned_data
    attempt(
        request,
        lambda: services.sanction_add(
            actor=user,
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
        success=_("已拟定处罚内容"),
        forbidden_is_403=True,
    )
    return redirect("enforcement:case-detail", pk=case.pk)


@login_required
@require_POST
def sanction_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    sanction = sanction_get_for(user, pk)
    attempt(
        request,
        lambda: services.sanction_remove(actor=user, sanction=sanction),
        success=_("已撤回该处罚内容"),
        forbidden_is_403=True,
    )
    return redirect("enforcement:case-detail", pk=sanction.case_id)


@login_required
@require_POST
def case_payment(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    case = case_get_for(user, pk)
    form = PaymentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写缴款日期和金额"))
        return redirect("enforcement:case-detail", pk=case.pk)
    attempt(
        request,
        lambda: services.case_payment_record(
            actor=user,
            case=case,
            paid_on=form.cleaned_data["paid_on"],
            amount=form.cleaned_data["amount"],
        ),
        success=_("已登记缴款"),
        forbidden_is_403=True,
    )
    return redirect("enforcement:case-detail", pk=case.pk)


@login_required
@require_POST
def case_lift(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    case = case_get_for(user, pk)
    attempt(
        request,
        lambda: services.case_lift_suspension(actor=user, case=case),
        success=_("已恢复活动，登记证书解除封存"),
        forbidden_is_403=True,
    )
    return redirect("enforcement:case-detail", pk=case.pk)


@login_required
@require_POST
def case_propose(request: HttpRequest) -> HttpResponse:
    """Rule 25 for the bureau's region: propose revocation for consecutive missing reports."""
    user = _me(request)
    _require_page(has_bureau_pages(user))
    found = attempt(
        request,
        lambda: services.case_propose_missing_reports(actor=user),
        success=_("已完成连续未报送年度报告的排查"),
        forbidden_is_403=True,
    )
    if found is not None:
        messages.info(request, _("拟立案的撤销登记案件：%(n)s 件") % {"n": len(found)})
    return redirect("enforcement:case-list")


# ---------------------------------------------------------------------------------------------
# Dormant-organisation campaigns and statistics


@login_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    _require_page(has_bureau_pages(user))
    page = _page(request, campaign_list_for(user))
    return render(request, "enforcement/campaign_list.html", {"page_obj": page, "tab": "campaigns"})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    _require_page(has_bureau_pages(user))
    default_region = user.region.code if user.region is not None else ""
    form = CampaignForm(request.POST or None, initial={"region": default_region})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        region = Region.objects.filter(code=data["region"].strip().ljust(12, "0")).first()
        if region is None:
            form.add_error("region", _("未知的区划代码"))
        else:
            chosen = region
            campaign = attempt(
                request,
                lambda: dormant.campaign_create(
                    actor=user,
                    name=data["name"],
                    region=chosen,
                    report_years=data["report_years"] or None,
                    no_activity_since=data["no_activity_since"],
                ),
                form=form,
                success=_("已创建清理行动"),
            )
            if campaign is not None:
                return redirect("enforcement:campaign-detail", pk=campaign.pk)
    return render(request, "enforcement/campaign_form.html", {"form": form, "tab": "campaigns"})


@login_required
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_get_for(_me(request), pk)
    outcome = request.GET.get("outcome", "")
    page = _page(
        request, candidates_of(campaign, outcome=outcome if outcome in DORMANT_OUTCOMES else "")
    )
    for c in page.object_list:
        shown: Any = c
        shown.criteria_text = [DORMANT_CRITERIA.get(code, code) for code in c.criteria]
        shown.outcome_text = DORMANT_OUTCOMES.get(c.outcome, c.outcome)
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
    user = _me(request)
    campaign = campaign_get_for(user, pk)
    found = attempt(
        request,
        lambda: dormant.campaign_scan(actor=user, campaign=campaign),
        success=_("排查完成"),
        forbidden_is_403=True,
    )
    if found is not None:
        messages.info(request, _("符合情形的组织：%(n)s 家") % {"n": found})
    return redirect("enforcement:campaign-detail", pk=campaign.pk)


@login_required
@require_POST
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    campaign = campaign_get_for(user, pk)
    attempt(
        request,
        lambda: dormant.campaign_close(actor=user, campaign=campaign),
        success=_("行动已结束"),
        forbidden_is_403=True,
    )
    return redirect("enforcement:campaign-detail", pk=campaign.pk)


@login_required
@require_POST
def candidate_contact(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    candidate = candidate_get_for(user, pk)
    form = ContactForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        attempt(
            request,
            lambda: dormant.candidate_contact_record(
                actor=user,
                candidate=candidate,
                sent_on=data["sent_on"],
                signed=data["signed"],
                returned_on=data["returned_on"],
            ),
            success=_("已登记挂号信"),
            forbidden_is_403=True,
        )
    else:
        messages.error(request, _("请填写寄出日期"))
    return redirect("enforcement:campaign-detail", pk=candidate.campaign_id)


@login_required
@require_POST
def candidate_activity(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    candidate = candidate_get_for(user, pk)
    form = ActivityForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        attempt(
            request,
            lambda: dormant.activity_evidence_add(
                actor=user,
                candidate=candidate,
                occurred_on=data["occurred_on"],
                description=data["description"],
            ),
            success=_("已记录活动佐证"),
            forbidden_is_403=True,
        )
    else:
        messages.error(request, _("请填写活动日期和情况"))
    return redirect("enforcement:campaign-detail", pk=candidate.campaign_id)


@login_required
@require_POST
def candidate_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    candidate = candidate_get_for(user, pk)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        attempt(
            request,
            lambda: dormant.candidate_outcome_set(
                actor=user, candidate=candidate, outcome=data["outcome"], note=data["note"]
            ),
            success=_("已处置"),
            forbidden_is_403=True,
        )
    else:
        messages.error(request, _("请选择处置结果并填写说明"))
    return redirect("enforcement:campaign-detail", pk=candidate.campaign_id)


@login_required
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    """Deregistered and revoked since a date, by management level (Rizhao-style)."""
    user = _me(request)
    _require_page(has_bureau_pages(user))
    form = StatisticsForm(request.GET or None)
    since = (form.cleaned_data.get("since") if form.is_valid() else None) or dt.date(
        timezone.localdate().year - 3, 1, 1
    )
    rows = closure_statistics_for(user, since=since)
    totals = {
        "deregistered": sum(r.deregistered for r in rows),
        "revoked": sum(r.revoked for r in rows),
    }
    trend = enforcement_trend_for(user, since=since)
    categories = complaint_categories_for(user, since=since)
    outcomes = case_outcomes_for(user, since=since)
    charts = {
        "levels": chart_data(
            [r.label for r in rows],
            [
                (_("注销登记"), [r.deregistered for r in rows]),
                (_("撤销登记"), [r.revoked for r in rows]),
            ],
        ),
        "trend": chart_data(
            [month_label(r.month) for r in trend],
            [
                (_("受理投诉举报"), [r.complaints for r in trend]),
                (_("立案"), [r.cases_filed for r in trend]),
                (_("作出处罚决定"), [r.decisions for r in trend]),
                (_("注销、撤销登记"), [r.closures for r in trend]),
            ],
        ),
        "categories": chart_data(
            [r.label for r in categories if r.count],
            [(_("投诉举报"), [r.count for r in categories if r.count])],
        ),
        "outcomes": chart_data(
            [r.label for r in outcomes if r.count],
            [(_("处罚案件"), [r.count for r in outcomes if r.count])],
        ),
    }
    context = {
        "form": form,
        "since": since,
        "rows": rows,
        "totals": totals,
        "trend": trend,
        "categories": categories,
        "outcomes": outcomes,
        "charts": charts,
        "tab": "statistics",
    }
    return render(request, "enforcement/statistics.html", context)
