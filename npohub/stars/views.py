"""Staff and organisation pages of the stars app (mounted at /stars/).

Thin: fetch with the scoped selectors and let ``NotFound`` propagate (missing and forbidden are
the same 404, ``core.http``), validate a form, run one service through ``core.http.attempt`` (a
refusal becomes form errors or a message), render; who opens which page is decided in
``permissions.py``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from npohub.accounts.models import User
from npohub.core.charts import chart_data, month_label
from npohub.core.http import attempt
from npohub.hubs.models import Hub
from npohub.orgs.models import Organization
from npohub.orgs.scope import scope_of
from npohub.orgs.selectors import organization_get_for, region_filter_root
from npohub.party.selectors import has_party_organization
from npohub.regions.codes import prefix_of

from . import selectors, services
from .forms import (
    AppealDecisionForm,
    AppealForm,
    AwardRoundForm,
    InterviewRecordForm,
    InterviewResolveForm,
    NominationForm,
    ScoreRowForm,
    StarAssessmentForm,
    StarFilterForm,
    parse_month,
)
from .models import AppealState, InterviewState
from .permissions import (
    can_assess_stars,
    can_create_award_round,
    can_decide_appeal,
    can_file_appeal,
    can_manage_award_round,
    can_publish_stars,
    can_score_organization,
    can_work_interview,
    sees_star_work,
)

PAGE_SIZE = 30


def _me(request: HttpRequest) -> User:
    """The signed-in user (every view here is behind ``login_required``)."""
    return cast(User, request.user)


def _staff_only(user: User) -> None:
    if not sees_star_work(user):
        raise Http404(_("页面不存在"))


# --- monthly scores ------------------------------------------------------------------------------


def _grid_context(hub: Hub, month: dt.date) -> dict[str, object]:
    template = selectors.template_for(hub.organization.address_code)
    items = list(template.items.all()) if template else []
    rows = []
    for row in selectors.scoring_grid(hub, month):
        initial: dict[str, object] = {f"item_{code}": value for code, value in row.points.items()}
        if row.scorecard is not None:
            deducted = [line for line in row.scorecard.lines.all() if line.reason]
            if deducted:
                initial.update(reason=deducted[0].reason, evidence=deducted[0].evidence)
        form = ScoreRowForm(items=items, prefix=f"o{row.organization.pk}", initial=initial)
        rows.append({"row": row, "form": form})
    return {"hub": hub, "month": month, "items": items, "rows": rows}


@login_required
@require_GET
def scoring(request: HttpRequest) -> HttpResponse:
    """Bulk entry: the hub's members × the scorecard's items for one month."""
    hubs = list(selectors.scoring_hubs_for(_me(request)).select_related("organization"))
    if not hubs:
        raise Http404(_("页面不存在"))
    chosen = next((h for h in hubs if str(h.pk) == request.GET.get("hub")), hubs[0])
    month = parse_month(request.GET.get("month"))
    context = {"hubs": hubs, **_grid_context(chosen, month)}
    return render(request, "stars/scoring.html", context)


@login_required
@require_POST
def scoring_save(request: HttpRequest, hub_pk: int, org_id: int) -> HttpResponse:
    """Save one member's row (htmx): answers the row, re-rendered with the result."""
    user = _me(request)
    hub = selectors.scoring_hub_get_for(user, hub_pk)
    org = organization_get_for(user, org_id)
    if not can_score_organization(user, org):
        raise Http404(_("页面不存在"))
    month = parse_month(request.GET.get("month") or request.POST.get("month"))
    template = selectors.template_for(org.address_code)
    items = list(template.items.all()) if template else []
    form = ScoreRowForm(request.POST, items=items, prefix=f"o{org.pk}")
    saved = None
    if form.is_valid():
        saved = attempt(
            request,
            lambda: services.scorecard_record(
                actor=user, organization=org, period=month, lines=form.lines()
            ),
            form=form,
        )
    row = selectors.GridRow(org, saved, {})
    context = {"hub": hub, "month": month, "items": items, "entry": {"row": row, "form": form}}
    if getattr(request, "htmx", False):
        return render(request, "stars/partials/score_row.html", context)
    if saved is not None:
        messages.success(request, _("%(org)s的评分已保存") % {"org": org.name})
    else:
        messages.error(request, "；".join(str(e) for e in form.errors.values()))
    return redirect(f"{reverse('stars:scoring')}?hub={hub.pk}&month={month:%Y-%m}")


@login_required
@require_GET
def scorecard_list(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    _staff_only(user)
    month = parse_month(request.GET.get("month")) if request.GET.get("month") else None
    below = Decimal("6") if request.GET.get("low") else None
    cards = selectors.scorecard_list_for(user, period=month, below=below)
    page = Paginator(cards, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "stars/scorecard_list.html", {"page_obj": page, "month": month})


@login_required
@require_GET
def scorecard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    card = selectors.scorecard_get_for(user, pk)
    context = {
        "card": card,
        "may_appeal": bool(can_file_appeal(user, card)),
        "appeal_form": AppealForm(),
    }
    return render(request, "stars/scorecard_detail.html", context)


@login_required
@require_GET
def my_scorecards(request: HttpRequest) -> HttpResponse:
    """An organisation account's own scorecards, star ratings and interviews."""
    org_ids = selectors.own_organization_ids(_me(request))
    if not org_ids:
        raise Http404(_("页面不存在"))
    org = Organization.objects.get(pk=org_ids[0])
    context = {
        "org": org,
        "cards": selectors.scorecards_of(org)[:24],
        "ratings": org.star_assessments.filter(is_published=True).order_by("-year"),
        "interviews": org.interview_tasks.order_by("-created_at"),
    }
    return render(request, "stars/my_scorecards.html", context)


@login_required
@require_POST
def appeal_create(request: HttpRequest, line_pk: int) -> HttpResponse:
    user = _me(request)
    line = selectors.line_get_for(user, line_pk)
    form = AppealForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: services.appeal_file(
                actor=user, line=line, grounds=form.cleaned_data["grounds"]
            ),
            success=_("申诉已提交"),
        )
    else:
        messages.error(request, _("请填写申诉理由"))
    return redirect("stars:scorecard-detail", pk=line.scorecard_id)


@login_required
@require_GET
def appeal_list(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    _staff_only(user)
    state = request.GET.get("state", AppealState.SUBMITTED)
    page = Paginator(selectors.appeal_list_for(user, state=state), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "stars/appeal_list.html",
        {"page_obj": page, "state": state, "states": AppealState.choices},
    )


@login_required
@require_GET
def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    appeal = selectors.appeal_get_for(user, pk)
    may_decide = bool(can_decide_appeal(user, appeal))
    context = {
        "appeal": appeal,
        "may_decide": may_decide,
        "transitions": services.appeal_moves_for(user, appeal) if may_decide else [],
        "history": services.appeal_history(appeal),
        "form": AppealDecisionForm(),
    }
    return render(request, "stars/appeal_detail.html", context)


@login_required
@require_POST
def appeal_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    user = _me(request)
    appeal = selectors.appeal_get_for(user, pk)
    form = AppealDecisionForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: services.appeal_transition(
                actor=user,
                appeal=appeal,
                transition=transition,
                note=form.cleaned_data["note"],
                adjusted_points=form.cleaned_data["adjusted_points"],
            ),
            success=_("申诉已处理"),
        )
    else:
        messages.error(request, _("请填写处理意见"))
    return redirect("stars:appeal-detail", pk=appeal.pk)


# --- interviews ------------------------------------------------------------------------------------


@login_required
@require_GET
def interview_list(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    _staff_only(user)
    state = request.GET.get("state", "")
    tasks = selectors.interview_list_for(user, state=state)
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "state": state,
        "states": InterviewState.choices,
        "flags": selectors.removal_flags_for(user)[:20],
    }
    return render(request, "stars/interview_list.html", context)


@login_required
@require_GET
def interview_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    task = selectors.interview_get_for(user, pk)
    context = {
        "task": task,
        "may_work": bool(can_work_interview(user, task)),
        "record_form": InterviewRecordForm(initial={"held_on": timezone.localdate()}),
        "resolve_form": InterviewResolveForm(),
        "history": services.interview_history(task),
    }
    return render(request, "stars/interview_detail.html", context)


@login_required
@require_POST
def interview_record(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    task = selectors.interview_get_for(user, pk)
    form = InterviewRecordForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: services.interview_record(actor=user, task=task, **form.cleaned_data),
            success=_("约谈情况已记录"),
        )
    else:
        messages.error(request, _("请填写约谈日期和约谈情况"))
    return redirect("stars:interview-detail", pk=task.pk)


@login_required
@require_POST
def interview_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    task = selectors.interview_get_for(user, pk)
    form = InterviewResolveForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: services.interview_resolve(actor=user, task=task, **form.cleaned_data),
            success=_("整改核查已记录"),
        )
    else:
        messages.error(request, _("请选择整改结果并填写核查意见"))
    return redirect("stars:interview-detail", pk=task.pk)


# --- star ratings --------------------------------------------------------------------------------


def _year_and_region(request: HttpRequest) -> tuple[StarFilterForm, int, str]:
    form = StarFilterForm(request.GET, region_root=region_filter_root(_me(request)))
    form.is_valid()  # an invalid filter (shown as an error) is left out, not the others
    data = getattr(form, "cleaned_data", {})
    year = data.get("year") or timezone.localdate().year - 1
    region = prefix_of(data["region"]) if data.get("region") else ""
    return form, year, region


@login_required
@require_GET
def star_list(request: HttpRequest) -> HttpResponse:
    """The year's star ratings ranked per region, with publication for the bureau."""
    user = _me(request)
    _staff_only(user)
    form, year, region = _year_and_region(request)
    prefix = region or scope_of(user).prefix
    ranking = selectors.star_ranking(user, year, region_prefix=region)
    page = Paginator(ranking, PAGE_SIZE).get_page(request.GET.get("page"))
    months = selectors.score_distribution(user, year, region_prefix=region)
    bands = selectors.score_bands(region)
    composition = selectors.star_composition(user, year, region_prefix=region)
    charts = {
        "scores": chart_data(
            [month_label(m.month) for m in months],
            [(label, [m.bands[i] for m in months]) for i, (_lower, label) in enumerate(bands)],
        ),
        "stars": chart_data(
            [_("%(n)s星级") % {"n": n} for n, count in composition if count],
            [(_("组织数"), [count for _n, count in composition if count])],
        ),
    }
    context = {
        "form": form,
        "year": year,
        "region": prefix,
        "page_obj": page,
        "months": months,
        "bands": bands,
        "composition": composition,
        "charts": charts,
        "may_publish": bool(prefix and can_publish_stars(user, prefix)),
    }
    partial = getattr(request, "htmx", False)
    template = "stars/partials/star_table.html" if partial else "stars/star_list.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def star_assess(request: HttpRequest, org_id: int) -> HttpResponse:
    user = _me(request)
    org = organization_get_for(user, org_id)
    if not can_assess_stars(user, org):
        raise Http404(_("页面不存在"))
    _f, year, _r = _year_and_region(request)
    average, months = selectors.monthly_average(org, year)
    party = has_party_organization([org.pk], timezone.localdate()).get(org.pk, False)
    form = StarAssessmentForm(
        request.POST or None, initial={"party_building_passed": "yes" if party else "no"}
    )
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            request,
            lambda: services.star_assessment_record(
                actor=user,
                organization=org,
                year=year,
                data=services.StarInput(**form.cleaned_data),
            ),
            form=form,
            success=_("星级评定已保存"),
        )
        if saved is not None:
            return redirect(f"{request.path}?year={year}")
    context = {
        "org": org,
        "year": year,
        "form": form,
        "average": average,
        "months": months,
        "has_party": party,
        "current": org.star_assessments.filter(year=year).first(),
    }
    return render(request, "stars/star_assess.html", context)


@login_required
@require_POST
def star_publish(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    _staff_only(user)
    _f, year, region = _year_and_region(request)
    year = int(request.POST.get("year") or year)
    region = request.POST.get("region") or region or scope_of(user).prefix
    count = attempt(
        request,
        lambda: services.star_results_publish(actor=user, year=year, region_code=region),
    )
    if count is not None:
        messages.success(request, _("已公布%(n)d个组织的星级评定结果") % {"n": count})
    return redirect(f"{reverse('stars:star-list')}?year={year}")


# --- awards -------------------------------------------------------------------------------------


@login_required
@require_GET
def award_list(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    rounds = selectors.award_round_list_for(user)
    prefix = scope_of(user).prefix
    context = {
        "rounds": rounds,
        "may_create": bool(prefix and can_create_award_round(user, prefix)),
    }
    return render(request, "stars/award_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def award_create(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    prefix = scope_of(user).prefix
    if not (prefix and can_create_award_round(user, prefix)):
        raise Http404(_("页面不存在"))
    form = AwardRoundForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        award_round = attempt(
            request,
            lambda: services.award_round_create(
                actor=user,
                data=services.RoundInput(region_code=prefix.ljust(12, "0"), **form.cleaned_data),
            ),
            form=form,
            success=_("评选已创建"),
        )
        if award_round is not None:
            return redirect("stars:award-detail", pk=award_round.pk)
    return render(request, "stars/award_form.html", {"form": form})


@login_required
@require_GET
def award_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    award_round = selectors.award_round_get_for(user, pk)
    may_manage = bool(can_manage_award_round(user, award_round))
    context = {
        "round": award_round,
        "nominations": selectors.nominations_of(award_round),
        "voted": selectors.voted_nomination_ids(user, award_round),
        "may_manage": may_manage,
        "transitions": services.award_moves_for(user, award_round) if may_manage else [],
        "history": services.award_round_history(award_round) if may_manage else [],
        "nomination_form": NominationForm(),
        "today": timezone.localdate(),
    }
    return render(request, "stars/award_detail.html", context)


@login_required
@require_POST
def nomination_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    award_round = selectors.award_round_get_for(user, pk)
    form = NominationForm(request.POST)
    if form.is_valid():
        org = selectors.nominable_organization(user, form.cleaned_data["organization"])
        if org is None:
            messages.error(request, _("组织不存在"))
        else:
            nominated = org
            attempt(
                request,
                lambda: services.nomination_create(
                    actor=user,
                    award_round=award_round,
                    organization=nominated,
                    statement=form.cleaned_data["statement"],
                ),
                success=_("已推荐%(org)s") % {"org": nominated.name},
            )
    else:
        messages.error(request, _("请填写组织编号和推荐理由"))
    return redirect("stars:award-detail", pk=award_round.pk)


@login_required
@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    nomination = selectors.nomination_get_for(user, pk)
    attempt(
        request,
        lambda: services.vote_cast(actor=user, nomination=nomination),
        success=_("已投票"),
    )
    return redirect("stars:award-detail", pk=nomination.award_round_id)


@login_required
@require_POST
def award_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    user = _me(request)
    award_round = selectors.award_round_get_for(user, pk)
    attempt(
        request,
        lambda: services.award_round_transition(
            actor=user, award_round=award_round, transition=transition
        ),
        success=_("评选状态已更新"),
    )
    return redirect("stars:award-detail", pk=award_round.pk)
