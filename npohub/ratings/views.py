"""Staff, expert and organisation pages of grade assessment (mounted at /ratings/).

Thin: fetch with the scoped selectors and let ``NotFound`` propagate (missing and forbidden are
the same 404, ``core.http``), shape input with ``forms.py``, run one service through
``core.http.attempt`` (a refusal becomes form errors or a message); who opens which page and
what a record shows are decided in ``permissions.py``.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from npohub.accounts.models import Role, User
from npohub.core.http import attempt
from npohub.core.redirects import next_url
from npohub.orgs.models import Organization
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
from .models import Expert, Indicator
from .permissions import (
    application_view,
    can_apply,
    can_decide_objection,
    can_edit_tree,
    can_manage_grade,
    can_manage_round,
    can_score,
    expert_view,
    sees_assignments,
    sees_bureau_pages,
    sees_rounds,
)
from .workflows import RS, move_label


def _me(request: HttpRequest) -> User:
    """The signed-in user (every view here is behind ``login_required``)."""
    return cast(User, request.user)


# --- rounds ------------------------------------------------------------------------------------


@login_required
@require_GET
def round_list(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    if not sees_rounds(user):
        raise Http404(_("页面不存在"))
    context = {
        "rounds": selectors.round_list_for(user),
        "may_create": sees_bureau_pages(user),
    }
    return render(request, "ratings/round_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest) -> HttpResponse:
    """The bureau opens a round: its region's thresholds and a tree per kind are copied in."""
    user = _me(request)
    if not sees_bureau_pages(user):
        raise Http404(_("页面不存在"))
    past = list(selectors.round_list_for(user)[:20])
    form = RoundForm(request.POST or None, regions=selectors.round_regions_for(user), rounds=past)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        copy_from = next((r for r in past if str(r.pk) == data["copy_from"]), None)
        round = attempt(
            request,
            lambda: services.round_create(
                actor=user,
                name=data["name"],
                year=data["year"],
                region=Region.objects.get(code=data["region"]),
                kinds=data["kinds"],
                applications_until=data["applications_until"],
                copy_from=copy_from,
            ),
            form=form,
            success=_("评估轮次已创建，请核对指标体系"),
        )
        if round is not None:
            return redirect("ratings:round-detail", pk=round.pk)
    return render(request, "ratings/round_form.html", {"form": form})


@login_required
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The round: stage, next steps, applications with eligibility, objections, results."""
    user = _me(request)
    round = selectors.round_get_for(user, pk)
    manages = bool(can_manage_round(user, round))
    context = {
        "round": round,
        "manages": manages,
        "steps": services.moves_for(user, round) if manages else [],
        "problems": services.tree_problems(round) if manages else [],
        "applications": selectors.application_list(round, user),
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
    user = _me(request)
    round = selectors.round_get_for(user, pk)
    if not can_manage_round(user, round):
        raise Http404(_("页面不存在"))
    attempt(
        request,
        lambda: services.round_transition(
            actor=user, round=round, transition=transition, note=request.POST.get("note", "")
        ),
        success=_("已完成：%(step)s") % {"step": move_label(transition)},
    )
    return redirect("ratings:round-detail", pk=round.pk)


@login_required
@require_GET
def round_committee(request: HttpRequest, pk: int) -> HttpResponse:
    """The committee's view: each panel's totals, outliers flagged, the proposed level."""
    user = _me(request)
    round = selectors.round_get_for(user, pk)
    if not can_manage_round(user, round):
        raise Http404(_("页面不存在"))
    rows = []
    for app in selectors.committee_list(round, user):
        shown: Any = app  # carries its prefetched ``panel``
        rows.append({"app": app, "panel": shown.panel})
    context = {"round": round, "rows": rows, "form": FinaliseForm()}
    return render(request, "ratings/round_committee.html", context)


# --- the indicator tree ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def round_tree(request: HttpRequest, pk: int) -> HttpResponse:
    """The round's tree per kind, with an add form while the tree may still change."""
    user = _me(request)
    round = selectors.round_get_for(user, pk)
    if not can_manage_round(user, round):
        raise Http404(_("页面不存在"))
    kind = request.GET.get("kind") or round.kinds[0]
    if kind not in round.kinds:
        raise Http404(_("页面不存在"))
    parents = list(round.indicators.filter(kind=kind).order_by("code"))
    form = IndicatorForm(request.POST or None, parents=parents)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        parent = next((p for p in parents if str(p.pk) == data.get("parent")), None)
        added = attempt(
            request,
            lambda: services.indicator_add(
                actor=user,
                round=round,
                kind=kind,
                parent=parent,
                code=data["code"],
                name=data["name"],
                max_points=data["max_points"],
                guidance=data["guidance"],
            ),
            form=form,
            success=_("指标已添加"),
        )
        if added is not None:
            return redirect(f"{request.path}?kind={kind}")
    context = {
        "round": round,
        "kind": kind,
        "tree": selectors.indicator_tree(round, kind),
        "problems": services.tree_problems(round),
        "editable": bool(can_edit_tree(user, round)),
        "form": form,
    }
    return render(request, "ratings/round_tree.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    node = selectors.indicator_get_for(user, pk)
    initial = {
        "code": node.code,
        "name": node.name,
        "max_points": node.max_points,
        "guidance": node.guidance,
    }
    form = IndicatorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            request,
            lambda: services.indicator_update(actor=user, indicator=node, **form.cleaned_data),
            form=form,
            success=_("指标已保存"),
        )
        if saved is not None:
            return redirect(f"/ratings/rounds/{node.round_id}/tree/?kind={node.kind}")
    return render(request, "ratings/indicator_form.html", {"form": form, "node": node})


@login_required
@require_POST
def indicator_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    node: Indicator = selectors.indicator_get_for(user, pk)
    target = f"/ratings/rounds/{node.round_id}/tree/?kind={node.kind}"
    attempt(
        request,
        lambda: services.indicator_delete(actor=user, indicator=node),
        success=_("指标已删除"),
    )
    return redirect(target)


# --- applications ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    round = selectors.round_get_for(user, pk)
    organizations = list(selectors.applicable_organizations(user, round)[:500])
    form = ApplicationForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        org = next(o for o in organizations if str(o.pk) == form.cleaned_data["organization"])
        app = attempt(
            request,
            lambda: services.application_submit(
                actor=user, round=round, organization=org, note=form.cleaned_data["note"]
            ),
            form=form,
            success=_("已申报"),
        )
        if app is not None:
            return redirect("ratings:application-detail", pk=app.pk)
    elif request.method == "GET" and organizations:
        decision = can_apply(user, round, organizations[0])
        if not decision:
            messages.error(request, str(decision.reason))
    return render(request, "ratings/application_form.html", {"form": form, "round": round})


@login_required
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Eligibility with each reason; the panel; the committee's and objection forms."""
    app = selectors.application_get_for(_me(request), pk)
    view = application_view(_me(request), app)
    objections = list(app.objections.all()) if view.shows_results else []
    histories = services.objection_histories([o.pk for o in objections])
    context = {
        "app": app,
        "manages": view.manages,
        "shows_results": view.shows_results,
        "panel": list(selectors.panel_of(app)) if view.manages else [],
        "panel_form": PanelForm(experts=list(selectors.available_experts(app)))
        if view.may_assign
        else None,
        "finalise_form": FinaliseForm(initial={"final_total": app.panel_total})
        if view.may_finalise
        else None,
        "objection_form": ObjectionForm() if view.may_object else None,
        # Each objection with its history (one query for all of them).
        "objections": [(o, histories.get(o.pk, [])) for o in objections],
        "decision_form": DecisionForm(),
        "manages_objections": view.manages,
    }
    return render(request, "ratings/application_detail.html", context)


@login_required
@require_POST
def application_check(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    app = selectors.application_get_for(user, pk)
    attempt(
        request,
        lambda: services.application_check(actor=user, application=app),
        success=_("已重新审查参评资格"),
    )
    return redirect("ratings:application-detail", pk=app.pk)


@login_required
@require_POST
def panel_assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    app = selectors.application_get_for(user, pk)
    raw = request.POST.get("expert", "")
    chosen = (
        Expert.objects.select_related("user").filter(pk=int(raw)).first() if raw.isdigit() else None
    )
    if chosen is None:
        messages.error(request, _("请选择专家"))
        return redirect("ratings:application-detail", pk=app.pk)
    expert = chosen
    attempt(
        request,
        lambda: services.panel_assign(actor=user, application=app, expert=expert),
        success=_("已指派专家%(name)s") % {"name": expert.user},
    )
    return redirect("ratings:application-detail", pk=app.pk)


@login_required
@require_POST
def application_finalise(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    app = selectors.application_get_for(user, pk)
    form = FinaliseForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: services.application_finalise(
                actor=user,
                application=app,
                final_total=form.cleaned_data["final_total"],
                note=form.cleaned_data["note"],
            ),
            success=_("结果已审定"),
        )
    else:
        messages.error(request, _("审定得分不是数字"))
    return redirect(next_url(request, f"/ratings/applications/{app.pk}/"))


@login_required
@require_POST
def objection_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    app = selectors.application_get_for(user, pk)
    form = ObjectionForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: services.objection_file(
                actor=user, application=app, reasons=form.cleaned_data["reasons"]
            ),
            success=_("异议已提交，复核决定将在15日内书面告知"),
        )
    else:
        messages.error(request, _("请写明异议理由"))
    return redirect("ratings:application-detail", pk=app.pk)


@login_required
@require_POST
def objection_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    objection = selectors.objection_get_for(user, pk)
    if not can_manage_round(user, objection.application.round):
        raise Http404(_("页面不存在"))
    form = DecisionForm(request.POST)
    if form.is_valid() and can_decide_objection(user, objection):
        attempt(
            request,
            lambda: services.objection_decide(actor=user, objection=objection, **form.cleaned_data),
            success=_("复核决定已作出"),
        )
    else:
        messages.error(request, _("请完整填写复核决定和表决票数"))
    return redirect("ratings:application-detail", pk=objection.application_id)


# --- expert scoring ----------------------------------------------------------------------------


@login_required
@require_GET
def assignment_list(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    if not sees_assignments(user):
        raise Http404(_("页面不存在"))
    tasks = selectors.assignment_list_for(user)
    return render(request, "ratings/assignment_list.html", {"tasks": tasks})


def _entries(request: HttpRequest, leaves: list[Indicator]) -> list[services.ScoreEntry]:
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
    user = _me(request)
    task = selectors.assignment_get_for(user, pk)
    app = task.application
    leaves = selectors.leaves_of(app.round, app.organization.kind)
    refusal = forms.Form({})  # the inputs are read per indicator; this bound form holds a refusal
    if request.method == "POST":
        saved = attempt(
            request,
            lambda: services.scores_save(
                actor=user, assignment=task, entries=_entries(request, leaves)
            ),
            form=refusal,
        )
        if saved is not None and request.POST.get("action") == "submit":
            submitted = attempt(
                request,
                lambda: services.assignment_submit(actor=user, assignment=task),
                form=refusal,
                success=_("评分已提交"),
            )
            if submitted is not None:
                return redirect("ratings:assignment-list")
        elif saved is not None:
            messages.success(request, _("草稿已保存"))
            return redirect("ratings:assignment-score", pk=task.pk)
    scores = selectors.scores_of(task)
    rows: list[dict[str, object]] = [
        {"node": leaf, "score": scores.get(leaf.pk)} for leaf in leaves
    ]
    if request.method == "POST":
        for row, leaf in zip(rows, leaves, strict=True):
            row["posted"] = request.POST.get(f"points_{leaf.pk}", "")
    context = {
        "task": task,
        "app": app,
        "rows": rows,
        "editable": bool(can_score(user, task)),
        "error": " ".join(str(e) for e in refusal.non_field_errors()),
        "max_total": sum(leaf.max_points for leaf in leaves),
    }
    return render(request, "ratings/assignment_score.html", context)


# --- the expert pool and grades ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def expert_list(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    if not sees_bureau_pages(me):
        raise Http404(_("页面不存在"))
    users = list(
        User.objects.filter(role=Role.EXPERT, is_active=True, rating_expert__isnull=True).order_by(
            "username"
        )[:200]
    )
    form = ExpertForm(request.POST or None, users=users)
    if request.method == "POST" and form.is_valid():
        user = next(u for u in users if str(u.pk) == form.cleaned_data["user"])
        added = attempt(
            request,
            lambda: services.expert_add(
                actor=me,
                user=user,
                region=selectors.pool_city_for(me),
                id_number=form.cleaned_data["id_number"],
                field=form.cleaned_data["field"],
                employer=form.cleaned_data["employer"],
            ),
            form=form,
            success=_("专家已入库"),
        )
        if added is not None:
            return redirect("ratings:expert-list")
    context = {
        "experts": [(e, expert_view(me, e)) for e in selectors.expert_list_for(me)],
        "form": form,
        "conflict_form": ConflictForm(),
    }
    return render(request, "ratings/expert_list.html", context)


@login_required
@require_POST
def conflict_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    expert = selectors.expert_get_for(user, pk)
    form = ConflictForm(request.POST)
    if form.is_valid():
        org = Organization.objects.filter(pk=form.cleaned_data["organization_id"]).first()
        if org is None:
            messages.error(request, _("组织不存在"))
        else:
            attempt(
                request,
                lambda: services.conflict_declare(
                    actor=user, expert=expert, organization=org, reason=form.cleaned_data["reason"]
                ),
                success=_("回避已登记，该专家不会被指派评审该组织"),
            )
    else:
        messages.error(request, _("请填写组织编号和回避事由"))
    return redirect("ratings:expert-list" if sees_bureau_pages(user) else "ratings:assignment-list")


@login_required
@require_GET
def grade_list(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    if not sees_bureau_pages(user):
        raise Http404(_("页面不存在"))
    grades = list(selectors.grade_list_for(user)[:300])
    histories = services.grade_histories([g.pk for g in grades])
    context = {
        "grades": [(g, histories.get(g.pk, [])) for g in grades],
        "form": DowngradeForm(),
    }
    return render(request, "ratings/grade_list.html", context)


@login_required
@require_POST
def grade_downgrade(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    grade = selectors.grade_get_for(user, pk)
    if not can_manage_grade(user, grade):
        raise Http404(_("页面不存在"))
    form = DowngradeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请写明降级事由"))
    else:
        attempt(
            request,
            lambda: services.grade_downgrade(
                actor=user, grade=grade, reason=form.cleaned_data["reason"]
            ),
            success=_("已降级，原证书和牌匾须在15日内交回"),
        )
    return redirect("ratings:grade-list")
