"""Community pages: filed groups' major-activity reports (重大活动报告) and filing delegation.

Thin views: fetch with the scoped selectors, shape input with ``forms_filing``, call one
service, render. A refusal of a service is shown beside the field it concerns (or on top).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from npohub.accounts.models import Role
from npohub.core.http import attempt
from npohub.core.navigation import NavItem, register
from npohub.core.params import parse_int
from npohub.core.permissions import is_signed_in
from npohub.core.templatetags.npohub import cn_date
from npohub.orgs.models import (
    CLOSED_STATUSES,
    AccessReason,
    Kind,
    Organization,
    OrganizationAccess,
)
from npohub.regions.models import Level, Region

from .. import services
from ..forms_filing import (
    ActivityActionForm,
    ActivityReportForm,
    DelegationEndForm,
    DelegationForm,
    StateFilterForm,
)
from ..models import (
    ACTIVITY_REPORT_TRANSITIONS,
    ActivityReport,
    ActivityReportState,
    FilingDelegation,
)
from ..permissions import (
    can_manage_delegation,
    can_report_activity,
    can_use_activity_reports,
    can_view_delegations,
    federation_capacity,
    may_manage_delegations,
)
from ..selectors import activity_report_get_for, activity_reports_for, filing_delegations_for

PAGE_SIZE = 20
MAX_GROUP_CHOICES = 500


ACTION_LABELS = {
    "acknowledge": gettext_lazy("知悉"),
    "query": gettext_lazy("提出疑问"),
    "answer": gettext_lazy("说明"),
}
ROLE_LABELS = {"federation": gettext_lazy("街道/联合会"), "group": gettext_lazy("报告组织")}


# --- who may open the pages (the services check each action again) -------------------------


def register_filing_navigation() -> None:
    """The staff menu item "重大活动报告" (call from ``RegistrationConfig.ready``)."""
    register(
        NavItem(
            label=gettext_lazy("重大活动报告"),
            url_name="community:activity-report-list",
            visible=lambda user: bool(can_use_activity_reports(user)),
            order=60,
        )
    )


# --- choices -------------------------------------------------------------------------------


def reportable_groups(user: Any) -> QuerySet[Organization]:
    """Filed groups the user may report for: its own (an OWN grant valid today), or every
    group of the community a community worker serves (the rule of ``can_report_activity``)."""
    groups = Organization.objects.filter(kind=Kind.COMMUNITY_GROUP).exclude(
        status__in=CLOSED_STATUSES
    )
    if not is_signed_in(user):
        return groups.none()
    if user.is_superuser:
        return groups.order_by("name")
    today = timezone.localdate()
    own = (
        OrganizationAccess.objects.filter(user_id=user.pk, reason=AccessReason.OWN)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .values("organization_id")
    )
    q = Q(pk__in=own)
    if user.role == Role.COMMUNITY_WORKER and user.scope_prefix:
        q |= Q(address_code__startswith=user.scope_prefix)
    return groups.filter(q).order_by("name")


def managed_streets(user: Any) -> QuerySet[Region]:
    """Streets and towns whose filing the user may delegate."""
    streets = Region.objects.filter(level=Level.TOWNSHIP, is_active=True)
    prefix = getattr(user, "scope_prefix", "") or ""
    if prefix:
        streets = streets.filter(code__startswith=prefix)
    elif not user.is_superuser:
        return streets.none()
    return streets.order_by("code")


def federation_candidates(street_code: str) -> QuerySet[Organization]:
    """Organisations located in the street and not closed; federations (联合会) first."""
    if not street_code:
        return Organization.objects.none()
    return (
        Organization.objects.filter(address_code__startswith=street_code[:9])
        .exclude(status__in=CLOSED_STATUSES)
        .annotate(
            federation_first=Case(
                When(name__contains="联合会", then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("federation_first", "name")
    )


def report_actions(user: Any, report: ActivityReport) -> list[tuple[str, str]]:
    """(action, label) the user may take on the report in its current state."""
    available = []
    for action, moves in ACTIVITY_REPORT_TRANSITIONS.items():
        if report.state not in moves:
            continue
        _target, capacity = moves[report.state]
        if capacity == "federation" and not federation_capacity(user, report.organization):
            continue
        if capacity == "group" and not can_report_activity(user, report.organization):
            continue
        available.append((action, str(ACTION_LABELS.get(action, action))))
    return available


def _thread(report: ActivityReport) -> list[dict[str, Any]]:
    rows = []
    for entry in report.thread or []:
        try:
            at: Any = dt.datetime.fromisoformat(str(entry.get("at", "")))
        except ValueError:
            at = entry.get("at", "")
        rows.append(
            {
                **entry,
                "at": at,
                "action_label": ACTION_LABELS.get(entry.get("action", ""), ""),
                "role_label": ROLE_LABELS.get(entry.get("role", ""), ""),
            }
        )
    return rows


# --- activity reports ----------------------------------------------------------------------


@login_required
@require_GET
def activity_report_list(request: HttpRequest) -> HttpResponse:
    """Reports in the user's scope (a group sees its own; the street, its street's)."""
    if not can_use_activity_reports(request.user):
        raise Http404(_("页面不存在"))
    form = StateFilterForm(request.GET or None, states=ActivityReportState.choices)
    reports = activity_reports_for(request.user)
    state = form.cleaned_data.get("state", "") if form.is_valid() else ""
    if state:
        reports = reports.filter(state=state)
    page = Paginator(reports.order_by("-starts_on", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "form": form,
        "page_obj": page,
        "may_report": reportable_groups(request.user).exists(),
        "may_see_delegations": bool(can_view_delegations(request.user)),
    }
    partial = request.htmx  # type: ignore[attr-defined]
    template = (
        "registration/partials/activity_report_table.html"
        if partial
        else "registration/activity_report_list.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_http_methods(["GET", "POST"])
def activity_report_create(request: HttpRequest) -> HttpResponse:
    """Report a major activity for one of the user's filed groups (``?org=`` preselects it)."""
    groups = reportable_groups(request.user)
    chosen = parse_int(request.POST.get("organization") or request.GET.get("org"), minimum=1)
    if request.user.is_superuser and chosen and groups.filter(pk=chosen).exists():
        groups = groups.filter(pk=chosen)
    group_list = list(groups[:MAX_GROUP_CHOICES])
    if not group_list:
        raise Http404(_("页面不存在"))
    initial = {"organization": str(chosen)} if chosen else {}
    form = ActivityReportForm(request.POST or None, groups=group_list, initial=initial)
    if request.method == "POST" and form.is_valid():
        org = next(g for g in group_list if str(g.pk) == form.cleaned_data["organization"])
        report = attempt(
            request,
            lambda: services.activity_report_create(
                actor=request.user,
                org=org,
                title=form.cleaned_data["title"],
                starts_on=form.cleaned_data["starts_on"],
                location=form.cleaned_data["location"],
                participants=form.cleaned_data["participants"],
                description=form.cleaned_data["description"],
            ),
            form=form,
        )
        if report is not None:
            messages.success(request, _("已向街道报告“%(title)s”") % {"title": report.title})
            return redirect("community:activity-report-detail", pk=report.pk)
    return render(request, "registration/activity_report_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def activity_report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The report, its thread, and the answers the user may give (知悉 / 提出疑问 / 说明)."""
    report = activity_report_get_for(request.user, pk)
    form = ActivityActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action = form.cleaned_data["action"]
        acted = attempt(
            request,
            lambda: services.activity_report_act(
                actor=request.user, report=report, action=action, text=form.cleaned_data["text"]
            ),
            form=form,
        )
        if acted is not None:
            report = acted
            messages.success(
                request,
                _("已%(action)s：%(state)s")
                % {
                    "action": ACTION_LABELS.get(action, action),
                    "state": report.get_state_display(),
                },
            )
            return redirect("community:activity-report-detail", pk=report.pk)
    context = {
        "report": report,
        "form": form,
        "actions": report_actions(request.user, report),
        "thread": _thread(report),
    }
    return render(request, "registration/activity_report_detail.html", context)


# --- filing delegation ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def delegation_list(request: HttpRequest) -> HttpResponse:
    """Delegations in the user's region, and (for the street and bureau) the form to add one."""
    if not can_view_delegations(request.user):
        raise Http404(_("页面不存在"))
    manager = may_manage_delegations(request.user)
    if request.method == "POST" and not manager:
        raise DjangoPermissionDenied(_("只有本街道或上级民政部门可以委托备案"))
    form: DelegationForm | None = None
    if manager:
        streets = list(managed_streets(request.user))
        street_code = request.POST.get("street") or request.GET.get("street", "")
        if not street_code and len(streets) == 1:
            street_code = streets[0].code
        if street_code not in {s.code for s in streets}:
            street_code = ""
        initial = {"street": street_code} if street_code else {}
        form = DelegationForm(
            request.POST or None,
            streets=streets,
            federations=federation_candidates(street_code),
            initial=initial,
        )
        if request.method == "POST" and form.is_valid():
            street = next(s for s in streets if s.code == form.cleaned_data["street"])
            federation = Organization.objects.get(pk=form.cleaned_data["federation"])
            delegation = attempt(
                request,
                lambda: services.filing_delegation_create(
                    actor=request.user,
                    street=street,
                    federation=federation,
                    valid_from=form.cleaned_data["valid_from"],
                    valid_until=form.cleaned_data["valid_until"],
                ),
                form=form,
            )
            if delegation is not None:
                messages.success(
                    request,
                    _("%(street)s已委托%(federation)s办理备案")
                    % {"street": street.name, "federation": federation.name},
                )
                return redirect(f"{request.path}#delegation-{delegation.pk}")
    today = timezone.localdate()
    delegations = filing_delegations_for(request.user)
    page = Paginator(delegations, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "delegation": d,
            "state": _delegation_state(d, today),
            "may_end": manager
            and bool(can_manage_delegation(request.user, d.street.code))
            and (d.valid_until is None or d.valid_until >= today),
        }
        for d in page
    ]
    context = {
        "form": form,
        "page_obj": page,
        "rows": rows,
        "today": today,
        "end_form": DelegationEndForm(initial={"valid_until": today}),
    }
    return render(request, "registration/filing_delegation_list.html", context)


def _delegation_state(delegation: FilingDelegation, today: dt.date) -> tuple[str, str]:
    if delegation.valid_from > today:
        return "pending", _("未生效")
    if delegation.valid_until is not None and delegation.valid_until < today:
        return "ended", _("已结束")
    return "active", _("生效中")


@login_required
@require_POST
def delegation_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End a delegation: the date given becomes its last valid day."""
    delegation = filing_delegations_for(request.user).filter(pk=pk).first()
    if delegation is None:
        raise Http404(_("备案委托不存在"))
    if not can_manage_delegation(request.user, delegation.street.code):
        raise DjangoPermissionDenied(_("只有本街道或上级民政部门可以结束委托"))
    form = DelegationEndForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("community:delegation-list")
    done = attempt(
        request,
        lambda: services.filing_delegation_end(
            actor=request.user, delegation=delegation, valid_until=form.cleaned_data["valid_until"]
        ),
    )
    if done is not None:
        last_day = form.cleaned_data["valid_until"]
        names = {"federation": delegation.federation.name, "street": delegation.street.name}
        if last_day < timezone.localdate():
            text = _("已结束%(federation)s受托办理%(street)s备案的委托") % names
        else:
            text = _("%(federation)s受托办理%(street)s备案的委托将于%(date)s后结束") % {
                **names,
                "date": cn_date(last_day),
            }
        messages.success(request, text)
    return redirect("community:delegation-list")
