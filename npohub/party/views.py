"""Staff pages of party building. Party data is for party-building officers and the bureau:
everyone else gets the 404 of a missing page (permissions.can_view_party).

Thin: fetch with the scoped selectors (``NotFound`` → 404, core.http), check the page in
permissions.py, run one service through ``core.http.attempt``, render from the record views
(``party_organization_view``, ``instructor_view``) that the API reads too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from fractions import Fraction
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from npohub.accounts.models import User
from npohub.core.http import attempt
from npohub.core.permissions import Decision
from npohub.orgs.models import Kind
from npohub.orgs.selectors import region_filter_root
from npohub.regions.models import Region

from . import selectors, services
from .forms import (
    AssignForm,
    BudgetForm,
    CoverageForm,
    DissolveForm,
    EndDateForm,
    InstructorEndForm,
    InstructorForm,
    MemberCountForm,
    PartyOrganizationFilterForm,
    PartyOrganizationForm,
    StaffMembersForm,
    StationLinkForm,
    WorkStationForm,
)
from .models import Instructor, PartyOrganization, Tier, WorkStation
from .permissions import (
    can_keep_coverage,
    can_keep_party_organization,
    can_manage_party_in,
    can_record_for_organization,
    can_view_party,
    instructor_view,
    keeps_a_region,
    may_create_party_organizations,
    party_organization_view,
    party_region_prefix,
)
from .policy import policy_for

PAGE_SIZE = 20


def _user(request: HttpRequest) -> User:
    """The user of a ``login_required`` view."""
    return cast(User, request.user)


def _page_check(decision: Decision | bool) -> None:
    """A page the user may not open is the 404 of a missing page."""
    if not decision:
        raise Http404(_("页面不存在"))


def _page(request: HttpRequest, items: Any) -> Any:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _post_action(
    request: HttpRequest,
    form: forms.Form,
    action: Callable[[dict[str, Any]], object],
    done: str,
    back: str,
) -> HttpResponse:
    """Run one service from a small form posted on a detail page; refusals come back as a
    message on that page (nothing is stored)."""
    if form.is_valid():
        attempt(request, lambda: action(form.cleaned_data), success=done)
    else:
        errors = "；".join(
            f"{form.fields[k].label if k in form.fields else ''}{' '.join(str(e) for e in v)}"
            for k, v in form.errors.items()
        )
        messages.error(request, _("未能保存：%(errors)s") % {"errors": errors})
    return redirect(back)


def percent(value: Fraction | None) -> str:
    if value is None:
        return "—"
    return f"{float(value) * 100:.1f}%"


def _date_param(request: HttpRequest) -> dt.date:
    raw = request.GET.get("on", "")
    try:
        return dt.date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        return timezone.localdate()


# --- coverage ----------------------------------------------------------------------------------


def _row(row: selectors.CoverageRow) -> dict[str, Any]:
    return {
        "key": row.key,
        "label": row.label,
        "url": row.url,
        "organizations": row.organizations,
        "should_have": row.should_have,
        "formed": row.formed,
        "missing": row.missing,
        "formation_rate": percent(row.formation_rate),
        "with_party_organization": row.with_party_organization,
        "with_instructor": row.with_instructor,
        "work_covered": row.work_covered,
        "work_coverage": percent(row.work_coverage),
    }


def _rate_value(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value) * 100, 1)


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    """Formation rate and work coverage, kept apart (rule 47), per child region and per kind; for
    a party officer, over the units it is assigned."""
    user = _user(request)
    _page_check(can_view_party(user))
    own_prefix = party_region_prefix(user)
    _page_check(bool(own_prefix) or user.is_superuser)
    code = (request.GET.get("region") or "").strip()
    region = (
        Region.objects.filter(code=code.ljust(12, "0"), is_active=True).first() if code else None
    )
    if region is None:
        region = (
            Region.objects.filter(code=own_prefix.ljust(12, "0"), is_active=True).first()
            if own_prefix
            else None
        )
    prefix = region.prefix if region else own_prefix
    _page_check(not own_prefix or prefix.startswith(own_prefix))
    on = _date_param(request)
    children = list(
        Region.objects.filter(parent=region, is_active=True).order_by("code")
        if region
        else Region.objects.filter(parent__isnull=True, is_active=True).order_by("code")
    )
    report = selectors.coverage_report(
        prefix,
        on,
        children=children,
        kind_labels={k.value: str(k.label) for k in Kind},
        scope=selectors.organization_party_scope_q(user),
    )
    base = reverse("party:coverage")
    for row in report.by_child:
        row.url = f"{base}?region={row.key}&on={on.isoformat()}"
    breadcrumb: list[dict[str, str]] = []
    node = region
    while node is not None and (not own_prefix or node.prefix.startswith(own_prefix)):
        breadcrumb.insert(0, {"name": node.name, "url": f"{base}?region={node.code}"})
        node = node.parent
    chart = {
        "categories": [r.label for r in report.by_child],
        "series": [
            {
                "name": str(_("组建率（%）")),
                "data": [_rate_value(r.formation_rate) for r in report.by_child],
            },
            {
                "name": str(_("工作覆盖率（%）")),
                "data": [_rate_value(r.work_coverage) for r in report.by_child],
            },
        ],
        "urls": [r.url for r in report.by_child],
        "stacked": False,
    }
    context = {
        "region": region,
        "on": on,
        "total": _row(report.total),
        "children": [_row(r) for r in report.by_child],
        "kinds": [_row(r) for r in report.by_kind],
        "chart": chart,
        "breadcrumb": breadcrumb,
        "threshold": policy_for(prefix)["should_have_min_formal_members"],
        "caseload": selectors.caseload_for(user, on=on),
    }
    return render(request, "party/coverage.html", context)


@login_required
@require_GET
def missing_list(request: HttpRequest) -> HttpResponse:
    """应建未建 organisations, or (view=uncovered) those with neither a party organisation
    nor an instructor."""
    user = _user(request)
    _page_check(can_view_party(user))
    view = request.GET.get("view", "missing")
    region = (request.GET.get("region") or "").strip().rstrip("0")
    on = _date_param(request)
    if view == "uncovered":
        page = _page(request, selectors.uncovered_list_for(user, on=on, prefix=region))
    else:
        view = "missing"
        page = _page(request, selectors.missing_list_for(user, on=on, prefix=region))
    context = {"view": view, "page_obj": page, "on": on, "region": region}
    return render(request, "party/missing_list.html", context)


# --- party organisations -----------------------------------------------------------------------


@login_required
@require_GET
def organization_list(request: HttpRequest) -> HttpResponse:
    """Party organisations in scope, filtered; htmx requests get only the table."""
    user = _user(request)
    _page_check(can_view_party(user))
    form = PartyOrganizationFilterForm(request.GET or None, region_root=region_filter_root(user))
    page = _page(request, selectors.party_organization_list_for(user, form.to_filters()))
    context = {
        "form": form,
        "page_obj": page,
        "may_create": may_create_party_organizations(user),
    }
    partial = getattr(request, "htmx", False)
    template = (
        "party/partials/partyorganization_table.html"
        if partial
        else "party/partyorganization_list.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_GET
def industry_committee_list(request: HttpRequest) -> HttpResponse:
    """Industry party committees at hubs (Jinan: social work, elderly care)."""
    user = _user(request)
    _page_check(can_view_party(user))
    filters = selectors.PartyOrganizationFilters(industry_only=True, include_dissolved=True)
    page = _page(request, selectors.party_organization_list_for(user, filters))
    return render(request, "party/industrycommittee_list.html", {"page_obj": page})


@login_required
@require_http_methods(["GET", "POST"])
def organization_create(request: HttpRequest) -> HttpResponse:
    """Set up a party organisation; the service enforces the §9 tier rules."""
    user = _user(request)
    _page_check(can_view_party(user))
    _page_check(may_create_party_organizations(user))
    initial = {"tier": Tier.COMMITTEE} if request.GET.get("industry") else {}
    form = PartyOrganizationForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.to_input()
        if data is not None:
            po = attempt(
                request,
                lambda: services.party_organization_create(actor=user, data=data),
                form=form,
            )
            if po is not None:
                messages.success(request, _("已建立“%(name)s”") % {"name": po.name})
                return redirect("party:organization-detail", pk=po.pk)
    return render(request, "party/partyorganization_form.html", {"form": form, "po": None})


def _kept_po(user: User, pk: int) -> PartyOrganization:
    """A party organisation the user keeps (404 for one it may not keep, as for a missing one)."""
    po = selectors.party_organization_get_for(user, pk)
    _page_check(can_keep_party_organization(user, po))
    return po


@login_required
@require_http_methods(["GET", "POST"])
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    po = _kept_po(user, pk)
    form = PartyOrganizationForm(
        request.POST or None,
        user=user,
        editing=po,
        initial=PartyOrganizationForm.initial_for(po),
    )
    if request.method == "POST" and form.is_valid():
        data = form.to_input()
        if data is not None:
            saved = attempt(
                request,
                lambda: services.party_organization_update(actor=user, po=po, data=data),
                form=form,
                success=_("已保存修改"),
            )
            if saved is not None:
                return redirect("party:organization-detail", pk=po.pk)
    return render(request, "party/partyorganization_form.html", {"form": form, "po": po})


@login_required
@require_GET
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One party organisation: covered units (dated), member counts history, children."""
    user = _user(request)
    po = selectors.party_organization_get_for(user, pk)
    view = party_organization_view(user, po)
    minimum = policy_for(po.region_code)["own_branch_min_formal_members"]
    today = timezone.localdate()
    coverages = list(selectors.party_organization_coverages(po))
    context = {
        "po": po,
        "view": view,
        "coverages": coverages,
        "live_units": sum(1 for c in coverages if c.end_date is None or c.end_date >= today),
        "joint_limit": policy_for(po.region_code)["joint_branch_max_units"],
        "counts": list(selectors.party_organization_counts(po)[:50]),
        "children": list(po.children.order_by("name")),
        "may_manage": view.may_manage,
        "below_minimum": po.tier == Tier.OWN_BRANCH and po.formal_members < minimum,
        "minimum": minimum,
        "count_form": MemberCountForm(),
        "cover_form": CoverageForm(user=user),
        "dissolve_form": DissolveForm(),
        "end_form": EndDateForm(),
    }
    return render(request, "party/partyorganization_detail.html", context)


@login_required
@require_POST
def organization_counts(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    po = _kept_po(user, pk)
    return _post_action(
        request,
        MemberCountForm(request.POST),
        lambda d: services.party_member_count_record(
            actor=user,
            po=po,
            as_of=d["as_of"],
            formal_members=d["formal_members"],
            probationary_members=d["probationary_members"] or 0,
            activists=d["activists"] or 0,
        ),
        _("已登记党员人数"),
        reverse("party:organization-detail", args=[po.pk]),
    )


@login_required
@require_POST
def organization_cover(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    po = _kept_po(user, pk)
    form = CoverageForm(request.POST, user=user)
    back = reverse("party:organization-detail", args=[po.pk])
    if form.is_valid():
        org = form._org("organization")
        if org is None:
            messages.error(request, _("未找到该组织，或不在您的党建工作范围内"))
            return redirect(back)
        return _post_action(
            request,
            form,
            lambda d: services.party_coverage_add(
                actor=user, po=po, organization=org, start_date=d["start_date"]
            ),
            _("已增加覆盖单位"),
            back,
        )
    return _post_action(request, form, lambda d: None, "", back)


@login_required
@require_POST
def organization_dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    po = _kept_po(user, pk)
    return _post_action(
        request,
        DissolveForm(request.POST),
        lambda d: services.party_organization_dissolve(
            actor=user, po=po, dissolved_on=d["dissolved_on"], reason=d["reason"]
        ),
        _("已撤销该党组织"),
        reverse("party:organization-detail", args=[po.pk]),
    )


@login_required
@require_POST
def coverage_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    cov = selectors.party_coverage_get_for(user, pk)
    _page_check(can_keep_coverage(user, cov))
    return _post_action(
        request,
        EndDateForm(request.POST),
        lambda d: services.party_coverage_end(actor=user, coverage=cov, end_date=d["end_date"]),
        _("已终止覆盖关系"),
        reverse("party:organization-detail", args=[cov.party_organization_id]),
    )


# --- one organisation's party data -------------------------------------------------------------


@login_required
@require_GET
def unit_detail(request: HttpRequest, org_id: int) -> HttpResponse:
    """An organisation's party data: staff party members over time, coverage, instructors."""
    user = _user(request)
    org = selectors.organization_get_for_party(user, org_id)
    context = {
        "org": org,
        "summary": selectors.party_summary_for(org),
        "reports": list(selectors.staff_party_reports(org)[:50]),
        "coverages": list(
            org.party_coverages.select_related("party_organization").order_by("-start_date")
        ),
        "assignments": list(
            org.party_instructor_assignments.select_related("instructor__person").order_by(
                "-start_date"
            )
        ),
        "may_record": bool(can_record_for_organization(user, org)),
        "form": StaffMembersForm(),
    }
    return render(request, "party/unit_detail.html", context)


@login_required
@require_POST
def unit_staff_members(request: HttpRequest, org_id: int) -> HttpResponse:
    user = _user(request)
    org = selectors.organization_get_for_party(user, org_id)
    return _post_action(
        request,
        StaffMembersForm(request.POST),
        lambda d: services.staff_party_members_record(
            actor=user,
            organization=org,
            as_of=d["as_of"],
            formal_members=d["formal_members"],
            source=d.get("source", ""),
        ),
        _("已登记从业人员党员数"),
        reverse("party:unit-detail", args=[org.pk]),
    )


# --- work stations -----------------------------------------------------------------------------


@login_required
@require_GET
def station_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _page_check(can_view_party(user))
    page = _page(request, selectors.work_station_list_for(user))
    year = timezone.localdate().year
    for station in page:
        station.this_year_budget = next(
            (b.amount for b in station.budgets.all() if b.year == year), None
        )
    context = {"page_obj": page, "year": year, "may_create": keeps_a_region(user)}
    return render(request, "party/workstation_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def station_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _page_check(can_view_party(user))
    _page_check(keeps_a_region(user))
    form = WorkStationForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        host = form._org("host_organization")
        if host is not None:
            d = form.cleaned_data
            station = attempt(
                request,
                lambda: services.work_station_create(
                    actor=user,
                    name=d["name"],
                    host_organization=host,
                    established_on=d["established_on"],
                    region_code=d["region_code"],
                    budget_year=d.get("budget_year"),
                    budget_amount=d.get("budget_amount"),
                    note=d.get("note", ""),
                ),
                form=form,
            )
            if station is not None:
                messages.success(request, _("已设立“%(name)s”") % {"name": station.name})
                return redirect("party:station-detail", pk=station.pk)
    context = {"form": form, "title": _("设立党建工作站"), "back": reverse("party:station-list")}
    return render(request, "party/form_page.html", context)


@login_required
@require_GET
def station_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    station = selectors.work_station_get_for(user, pk)
    context = {
        "station": station,
        "links": list(selectors.work_station_links(station)),
        "budgets": list(station.budgets.order_by("-year")),
        "may_manage": bool(can_manage_party_in(user, station.region_code)),
        "budget_form": BudgetForm(),
        "link_form": StationLinkForm(user=user),
        "end_form": EndDateForm(),
        "today": timezone.localdate(),
    }
    return render(request, "party/workstation_detail.html", context)


def _kept_station(user: User, pk: int) -> WorkStation:
    station = selectors.work_station_get_for(user, pk)
    _page_check(can_manage_party_in(user, station.region_code))
    return station


@login_required
@require_POST
def station_budget(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    station = _kept_station(user, pk)
    return _post_action(
        request,
        BudgetForm(request.POST),
        lambda d: services.work_station_budget_set(
            actor=user, station=station, year=d["year"], amount=d["amount"]
        ),
        _("已保存年度经费"),
        reverse("party:station-detail", args=[station.pk]),
    )


@login_required
@require_POST
def station_link(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    station = _kept_station(user, pk)
    form = StationLinkForm(request.POST, user=user)
    back = reverse("party:station-detail", args=[station.pk])
    org = form._org("organization") if form.is_valid() else None
    if form.is_valid() and form.cleaned_data.get("organization") and org is None:
        messages.error(request, _("未找到该组织，或不在您的党建工作范围内"))
        return redirect(back)
    return _post_action(
        request,
        form,
        lambda d: services.work_station_link_add(
            actor=user,
            station=station,
            start_date=d["start_date"],
            organization=org,
            party_organization=d.get("party_organization"),
        ),
        _("已增加联系对象"),
        back,
    )


@login_required
@require_POST
def station_link_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    link = selectors.work_station_link_get_for(user, pk)
    _page_check(can_manage_party_in(user, link.station.region_code))
    return _post_action(
        request,
        EndDateForm(request.POST),
        lambda d: services.work_station_link_end(actor=user, link=link, end_date=d["end_date"]),
        _("已终止联系关系"),
        reverse("party:station-detail", args=[link.station_id]),
    )


# --- instructors -------------------------------------------------------------------------------


@login_required
@require_GET
def instructor_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _page_check(can_view_party(user))
    include_ended = request.GET.get("ended") == "1"
    page = _page(request, selectors.instructor_list_for(user, include_ended=include_ended))
    caseload = selectors.caseload_for(user)
    context = {
        "page_obj": page,
        "caseload": caseload,
        "per_instructor": f"{float(caseload.per_instructor):.2f}"
        if caseload.per_instructor
        else "—",
        "include_ended": include_ended,
        "may_create": keeps_a_region(user),
    }
    return render(request, "party/instructor_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def instructor_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _page_check(can_view_party(user))
    _page_check(keeps_a_region(user))
    form = InstructorForm(
        request.POST or None,
        initial={"region_code": party_region_prefix(user).ljust(12, "0")},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        instructor = attempt(
            request,
            lambda: services.instructor_create(
                actor=user,
                name=d["name"],
                phone=d.get("phone", ""),
                kind=d["kind"],
                unit_label=d.get("unit_label", ""),
                region_code=d["region_code"],
                appointed_on=d["appointed_on"],
            ),
            form=form,
            success=_("已选派%(name)s") % {"name": d["name"]},
        )
        if instructor is not None:
            return redirect("party:instructor-detail", pk=instructor.pk)
    context = {
        "form": form,
        "title": _("选派党建工作指导员/联络员"),
        "back": reverse("party:instructor-list"),
    }
    return render(request, "party/form_page.html", context)


@login_required
@require_GET
def instructor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    instructor = selectors.instructor_get_for(user, pk)
    view = instructor_view(user, instructor)
    context = {
        "instructor": instructor,
        "view": view,
        "assignments": list(selectors.instructor_assignments(instructor)),
        "may_manage": view.may_manage,
        "assign_form": AssignForm(user=user),
        "end_form": EndDateForm(),
        "leave_form": InstructorEndForm(),
    }
    return render(request, "party/instructor_detail.html", context)


def _kept_instructor(user: User, pk: int) -> Instructor:
    instructor = selectors.instructor_get_for(user, pk)
    _page_check(can_manage_party_in(user, instructor.region_code))
    return instructor


@login_required
@require_POST
def instructor_assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    instructor = _kept_instructor(user, pk)
    form = AssignForm(request.POST, user=user)
    back = reverse("party:instructor-detail", args=[instructor.pk])
    org = form._org("organization") if form.is_valid() else None
    if form.is_valid() and org is None:
        messages.error(request, _("未找到该组织，或不在您的党建工作范围内"))
        return redirect(back)
    return _post_action(
        request,
        form,
        lambda d: services.instructor_assign(
            actor=user,
            instructor=instructor,
            organization=org,  # type: ignore[arg-type]  # None only when the form is invalid
            start_date=d["start_date"],
        ),
        _("已分配联系单位"),
        back,
    )


@login_required
@require_POST
def instructor_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    instructor = _kept_instructor(user, pk)
    return _post_action(
        request,
        InstructorEndForm(request.POST),
        lambda d: services.instructor_end(
            actor=user, instructor=instructor, ended_on=d["ended_on"]
        ),
        _("已登记离任"),
        reverse("party:instructor-detail", args=[instructor.pk]),
    )


@login_required
@require_POST
def assignment_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    row = selectors.instructor_assignment_get_for(user, pk)
    _page_check(can_manage_party_in(user, row.instructor.region_code))
    return _post_action(
        request,
        EndDateForm(request.POST),
        lambda d: services.instructor_assignment_end(
            actor=user, assignment=row, end_date=d["end_date"]
        ),
        _("已终止联系关系"),
        reverse("party:instructor-detail", args=[row.instructor_id]),
    )
