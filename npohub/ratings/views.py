"""Staff, expert and organisation pages of grade assessment (mounted at /ratings/)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from npohub.accounts.models import Role, User
from npohub.core.errors import DomainError, NotFound
from npohub.core.forms import apply_service_errors
from npohub.core.redirects import next_url
from npohub.orgs.selectors import public_organization_get
from npohub.regions.models import Region

from . import selectors, services
from .forms import (
    ApplicationForm,
    ConflictForm,
    DecisionForm,
    DowngradeForm,
    ExpertForm,
    FinaliseForm,
    IndicatorForm,
    ObjectionForm,
    PanelForm,
    RoundForm,
)
from .models import Expert
from .navigation import sees_rounds
from .permissions import (
    can_apply,
    can_assign_expert,
    can_decide_objection,
    can_edit_tree,
    can_file_objection,
    can_finalise,
    can_manage_grade,
    can_manage_round,
    can_score,
    covers,
    is_bureau,
)
from .workflows import RS, move_label

T = TypeVar("T")


def _get(fetch: Callable[[Any, int], T], request: HttpRequest, pk: int) -> T:
    """The scoped fetch-and-authorise, answering 404 for both missing and forbidden."""
    try:
        return fetch(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


# --- rounds ------------------------------------------------------------------------------------


@login_required
@require_GET
def round_list(request: HttpRequest) -> HttpResponse:
    if not sees_rounds(request.user):
        raise Http404(_("页面不存在"))
    context = {
        "rounds": selectors.round_list_for(request.user),
        "may_create": is_bureau(request.user),
    }
    return render(request, "ratings/round_list.html", context)


def _regions_for(user: Any) -> list[Region]:
    qs = Region.objects.filter(level__lte=3).order_by("code")
    if not user.is_superuser:
        qs = qs.filter(code__startswith=user.scope_prefix)
    return list(qs[:200])


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest) -> HttpResponse:
    """The bureau opens a round: its region's thresholds and a tree per kind are copied in."""
    if not is_bureau(request.user):
        raise Http404(_("页面不存在"))
    past = list(selectors.round_list_for(request.user)[:20])
    form = RoundForm(request.POST or None, regions=_regions_for(request.user), rounds=past)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        copy_from = next((r for r in past if str(r.pk) == data["copy_from"]), None)
        try:
            round = services.round_create(
                actor=request.user,
                name=data["name"],
                year=data["year"],
                region=Region.objects.get(code=data["region"]),
                kinds=data["kinds"],
                applications_until=data["applications_until"],
                copy_from=copy_from,
            )
        except DomainError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("评估轮次已创建，请核对指标体系"))
            return redirect("ratings:round-detail", pk=round.pk)
    return render(request, "ratings/round_form.html", {"form": form})


@login_required
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The round: stage, next steps, applications with eligibility, objections, results."""
    round = _get(selectors.round_get_for, request, pk)
    manages = bool(can_manage_round(request.user, round))
    context = {
        "round": round,
        "manages": manages,
        "steps": services.moves_for(request.user, round) if manages else [],
        "problems": services.tree_problems(round) if manages else [],
        "applications": selectors.application_list(round, request.user),
        "objections": selectors.objection_list(round) if manages else [],
        "level_counts": selectors.level_counts(round),
        "may_apply": round.state == RS.APPLICATIONS,
        "results_visible": manages or round.state in (RS.PUBLICATION, RS.OBJECTIONS, RS.FINAL),
        "history": services.round_history(round) if manages else [],
    }
    return render(request, "ratings/round_detail.html", context)


@login_required
@require_POST
def round_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    round = _get(selectors.round_get_for, request, pk)
    if not can_manage_round(request.user, round):
        raise Http404(_("页面不存在"))
    try:
        services.round_transition(
            actor=request.user,
            round=round,
            transition=transition,
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        problems = exc.details.get("problems", []) if isinstance(exc.details, dict) else []
        messages.error(request, "；".join(problems) or exc.message)
    else:
        messages.success(request, _("已完成：%(step)s") % {"step": move_label(transition)})
    return redirect("ratings:round-detail", pk=round.pk)


@login_required
@require_GET
def round_committee(request: HttpRequest, pk: int) -> HttpResponse:
    """The committee's view: each panel's totals, outliers flagged, the proposed level."""
    round = _get(selectors.round_get_for, request, pk)
    if not can_manage_round(request.user, round):
        raise Http404(_("页面不存在"))
    rows = [{"app": a, "panel": a.panel} for a in selectors.committee_list(round, request.user)]
    context = {"round": round, "rows": rows, "form": FinaliseForm()}
    return render(request, "ratings/round_committee.html", context)


# --- the indicator tree ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def round_tree(request: HttpRequest, pk: int) -> HttpResponse:
    """The round's tree per kind, with an add form while the tree may still change."""
    round = _get(selectors.round_get_for, request, pk)
    if not can_manage_round(request.user, round):
        raise Http404(_("页面不存在"))
    kind = request.GET.get("kind") or round.kinds[0]
    if kind not in round.kinds:
        raise Http404(_("页面不存在"))
    parents = list(round.indicators.filter(kind=kind).order_by("code"))
    form = IndicatorForm(request.POST or None, parents=parents)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        parent = next((p for p in parents if str(p.pk) == data.get("parent")), None)
        try:
            services.indicator_add(
                actor=request.user,
                round=round,
                kind=kind,
                parent=parent,
                code=data["code"],
                name=data["name"],
                max_points=data["max_points"],
                guidance=data["guidance"],
            )
        except DomainError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("指标已添加"))
            return redirect(f"{request.path}?kind={kind}")
    context = {
        "round": round,
        "kind": kind,
        "tree": selectors.indicator_tree(round, kind),
        "problems": services.tree_problems(round),
        "editable": bool(can_edit_tree(request.user, round)),
        "form": form,
    }
    return render(request, "ratings/round_tree.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    node = _get(selectors.indicator_get_for, request, pk)
    initial = {
        "code": node.code,
        "name": node.name,
        "max_points": node.max_points,
        "guidance": node.guidance,
    }
    form = IndicatorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_update(actor=request.user, indicator=node, **form.cleaned_data)
        except DomainError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("指标已保存"))
            return redirect(f"/ratings/rounds/{node.round_id}/tree/?kind={node.kind}")
    return render(request, "ratings/indicator_form.html", {"form": form, "node": node})


@login_required
@require_POST
def indicator_delete(request: HttpRequest, pk: int) -> HttpResponse:
    node = _get(selectors.indicator_get_for, request, pk)
    target = f"/ratings/rounds/{node.round_id}/tree/?kind={node.kind}"
    try:
        services.indicator_delete(actor=request.user, indicator=node)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("指标已删除"))
    return redirect(target)


# --- applications ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest, pk: int) -> HttpResponse:
    round = _get(selectors.round_get_for, request, pk)
    organizations = list(selectors.applicable_organizations(request.user, round)[:500])
    form = ApplicationForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        org = next(o for o in organizations if str(o.pk) == form.cleaned_data["organization"])
        try:
            app = services.application_submit(
                actor=request.user, round=round, organization=org, note=form.cleaned_data["note"]
            )
        except DomainError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已申报"))
            return redirect("ratings:application-detail", pk=app.pk)
    elif (
        request.method == "GET"
        and organizations
        and not can_apply(request.user, round, organizations[0])
    ):
        messages.error(request, str(can_apply(request.user, round, organizations[0]).reason))
    return render(request, "ratings/application_form.html", {"form": form, "round": round})


@login_required
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Eligibility with each reason; the panel; the committee's and objection forms."""
    app = _get(selectors.application_get_for, request, pk)
    manages = covers(request.user, app.round.region.code)
    shows = manages or selectors.results_visible(app)
    may_assign = bool(can_assign_expert(request.user, app))
    context = {
        "app": app,
        "manages": manages,
        "shows_results": shows,
        "panel": list(selectors.panel_of(app)) if manages else [],
        "panel_form": PanelForm(experts=list(selectors.available_experts(app)))
        if may_assign
        else None,
        "finalise_form": FinaliseForm(initial={"final_total": app.panel_total})
        if can_finalise(request.user, app)
        else None,
        "objection_form": ObjectionForm() if can_file_objection(request.user, app) else None,
        "objections": app.objections.all() if (manages or shows) else [],
        "decision_form": DecisionForm(),
        "manages_objections": manages,
    }
    return render(request, "ratings/application_detail.html", context)


@login_required
@require_POST
def application_check(request: HttpRequest, pk: int) -> HttpResponse:
    app = _get(selectors.application_get_for, request, pk)
    try:
        services.application_check(actor=request.user, application=app)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已重新审查参评资格"))
    return redirect("ratings:application-detail", pk=app.pk)


@login_required
@require_POST
def panel_assign(request: HttpRequest, pk: int) -> HttpResponse:
    app = _get(selectors.application_get_for, request, pk)
    expert = (
        Expert.objects.select_related("user").filter(pk=request.POST.get("expert") or 0).first()
    )
    if expert is None:
        messages.error(request, _("请选择专家"))
        return redirect("ratings:application-detail", pk=app.pk)
    try:
        services.panel_assign(actor=request.user, application=app, expert=expert)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已指派专家%(name)s") % {"name": expert.user})
    return redirect("ratings:application-detail", pk=app.pk)


@login_required
@require_POST
def application_finalise(request: HttpRequest, pk: int) -> HttpResponse:
    app = _get(selectors.application_get_for, request, pk)
    form = FinaliseForm(request.POST)
    if form.is_valid():
        try:
            services.application_finalise(
                actor=request.user,
                application=app,
                final_total=form.cleaned_data["final_total"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("结果已审定"))
    else:
        messages.error(request, _("审定得分不是数字"))
    return redirect(next_url(request, f"/ratings/applications/{app.pk}/"))


@login_required
@require_POST
def objection_create(request: HttpRequest, pk: int) -> HttpResponse:
    app = _get(selectors.application_get_for, request, pk)
    form = ObjectionForm(request.POST)
    if form.is_valid():
        try:
            services.objection_file(
                actor=request.user, application=app, reasons=form.cleaned_data["reasons"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("异议已提交，复核决定将在15日内书面告知"))
    else:
        messages.error(request, _("请写明异议理由"))
    return redirect("ratings:application-detail", pk=app.pk)


@login_required
@require_POST
def objection_decide(request: HttpRequest, pk: int) -> HttpResponse:
    objection = _get(selectors.objection_get_for, request, pk)
    if not covers(request.user, objection.application.round.region.code):
        raise Http404(_("页面不存在"))
    form = DecisionForm(request.POST)
    if form.is_valid() and can_decide_objection(request.user, objection):
        try:
            services.objection_decide(actor=request.user, objection=objection, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("复核决定已作出"))
    else:
        messages.error(request, _("请完整填写复核决定和表决票数"))
    return redirect("ratings:application-detail", pk=objection.application_id)


# --- expert scoring ----------------------------------------------------------------------------


@login_required
@require_GET
def assignment_list(request: HttpRequest) -> HttpResponse:
    if request.user.role != Role.EXPERT and not request.user.is_superuser:
        raise Http404(_("页面不存在"))
    tasks = selectors.assignment_list_for(request.user)
    return render(request, "ratings/assignment_list.html", {"tasks": tasks})


def _entries(request: HttpRequest, leaves: list[Any]) -> list[services.ScoreEntry]:
    return [
        services.ScoreEntry(
            indicator_id=leaf.pk,
            points=request.POST.get(f"points_{leaf.pk}", ""),
            comment=request.POST.get(f"comment_{leaf.pk}", ""),
            evidence_ref=request.POST.get(f"evidence_{leaf.pk}", ""),
            evidence_file=request.FILES.get(f"file_{leaf.pk}"),
        )
        for leaf in leaves
    ]


@login_required
@require_http_methods(["GET", "POST"])
def assignment_score(request: HttpRequest, pk: int) -> HttpResponse:
    """One screen per expert: every indicator in order (Tab moves through the inputs), the
    total updating as they type; save a draft, or submit."""
    task = _get(selectors.assignment_get_for, request, pk)
    app = task.application
    leaves = selectors.leaves_of(app.round, app.organization.kind)
    error = ""
    if request.method == "POST":
        try:
            services.scores_save(
                actor=request.user, assignment=task, entries=_entries(request, leaves)
            )
            if request.POST.get("action") == "submit":
                services.assignment_submit(actor=request.user, assignment=task)
                messages.success(request, _("评分已提交"))
                return redirect("ratings:assignment-list")
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("草稿已保存"))
            return redirect("ratings:assignment-score", pk=task.pk)
    scores = selectors.scores_of(task)
    rows = [{"node": leaf, "score": scores.get(leaf.pk)} for leaf in leaves]
    if request.method == "POST":
        for row in rows:
            row["posted"] = request.POST.get(f"points_{row['node'].pk}", "")
    context = {
        "task": task,
        "app": app,
        "rows": rows,
        "editable": bool(can_score(request.user, task)),
        "error": error,
        "max_total": sum(leaf.max_points for leaf in leaves),
    }
    return render(request, "ratings/assignment_score.html", context)


# --- the expert pool and grades ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def expert_list(request: HttpRequest) -> HttpResponse:
    if not is_bureau(request.user):
        raise Http404(_("页面不存在"))
    users = list(
        User.objects.filter(role=Role.EXPERT, is_active=True, rating_expert__isnull=True).order_by(
            "username"
        )[:200]
    )
    form = ExpertForm(request.POST or None, users=users)
    if request.method == "POST" and form.is_valid():
        user = next(u for u in users if str(u.pk) == form.cleaned_data["user"])
        region = request.user.region or Region.objects.get(code="370100000000")
        city = Region.objects.filter(code=region.code[:4].ljust(12, "0")).first() or region
        try:
            services.expert_add(
                actor=request.user,
                user=user,
                region=city,
                id_number=form.cleaned_data["id_number"],
                field=form.cleaned_data["field"],
                employer=form.cleaned_data["employer"],
            )
        except DomainError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("专家已入库"))
            return redirect("ratings:expert-list")
    context = {
        "experts": selectors.expert_list_for(request.user),
        "form": form,
        "conflict_form": ConflictForm(),
    }
    return render(request, "ratings/expert_list.html", context)


@login_required
@require_POST
def conflict_create(request: HttpRequest, pk: int) -> HttpResponse:
    expert = _get(selectors.expert_get_for, request, pk)
    form = ConflictForm(request.POST)
    if form.is_valid():
        try:
            org = public_organization_get(form.cleaned_data["organization_id"])
            services.conflict_declare(
                actor=request.user,
                expert=expert,
                organization=org,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("回避已登记，该专家不会被指派评审该组织"))
    else:
        messages.error(request, _("请填写组织编号和回避事由"))
    return redirect("ratings:expert-list" if is_bureau(request.user) else "ratings:assignment-list")


@login_required
@require_GET
def grade_list(request: HttpRequest) -> HttpResponse:
    if not is_bureau(request.user):
        raise Http404(_("页面不存在"))
    grades = selectors.grade_list_for(request.user)[:300]
    return render(request, "ratings/grade_list.html", {"grades": grades, "form": DowngradeForm()})


@login_required
@require_POST
def grade_downgrade(request: HttpRequest, pk: int) -> HttpResponse:
    grade = _get(selectors.grade_get_for, request, pk)
    if not can_manage_grade(request.user, grade):
        raise Http404(_("页面不存在"))
    form = DowngradeForm(request.POST)
    try:
        if not form.is_valid():
            raise services.RatingError(_("请写明降级事由"))
        services.grade_downgrade(
            actor=request.user, grade=grade, reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已降级，原证书和牌匾须在15日内交回"))
    return redirect("ratings:grade-list")
