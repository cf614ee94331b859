"""Staff and organisation pages for annual reports: list, detail, section forms (htmx-checked),
the review/conclusion page, the calendar and the submission dashboard.

Views fetch with the scoped selectors and let ``NotFound`` propagate (the one middleware answers
404 for missing and forbidden alike), shape input with ``forms.py`` and run one service through
``core.http.attempt`` (a refusal becomes form errors or a message). What a user may do with and
see of a report is ``permissions.report_view``, the same answer the API renders from.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from npohub.accounts.models import User
from npohub.core.charts import chart_data
from npohub.core.http import attempt, stored_file_download
from npohub.core.params import query_year
from npohub.orgs.models import AccessReason, Organization
from npohub.orgs.scope import scope_of
from npohub.orgs.selectors import organization_get_for, region_filter_root

from . import sections as sec
from . import services
from .content import recompute, report_content
from .forms import (
    AttachmentForm,
    ConclusionForm,
    CreateForm,
    ReportFilterForm,
    TransitionForm,
    section_form_class,
)
from .models import EDITABLE_STATES, AnnualReport, Conclusion
from .permissions import (
    can_check_section,
    can_edit_report,
    can_list_reports,
    can_review_report,
    can_view_dashboard,
    may_review_first,
    report_view,
)
from .selectors import (
    attachment_get_for,
    attachments_of,
    calendar_rows,
    charity_disclosure_deadline,
    conclusion_counts,
    is_due,
    organizations_missing,
    report_get_for,
    report_list_for,
    reports_visible_to,
    state_counts,
    submission_stats,
    yearly_rates,
)
from .workflows import WORKFLOW, current_return, history_of, state_label


def _me(request: HttpRequest) -> User:
    """The signed-in user (every view here is behind ``login_required``)."""
    return cast(User, request.user)


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _season_year() -> int:
    return timezone.localdate().year - 1


def _startable(user: User, year: int) -> list[Organization]:
    """Own organisations that must report for ``year`` and have not started yet."""
    owned = scope_of(user).granted_ids(reason=AccessReason.OWN)
    orgs = (
        Organization.objects.filter(pk__in=owned)
        .exclude(annual_reports__year=year)
        .order_by("name")[:20]
    )
    return [o for o in orgs if is_due(o, year)]


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    decision = can_list_reports(user)
    if not decision:
        raise Http404(decision.reason)
    form = ReportFilterForm(request.GET or None, region_root=region_filter_root(user))
    page = Paginator(report_list_for(user, form.to_filters()), 25).get_page(request.GET.get("page"))
    context: dict[str, Any] = {"form": form, "page_obj": page}
    if _htmx(request):
        return render(request, "supervision/partials/report_table.html", context)
    year = _season_year()
    context.update(
        season_year=year,
        startable=_startable(user, year),
        may_review_first=may_review_first(user),
        may_decide=bool(can_view_dashboard(user)),
    )
    return render(request, "supervision/report_list.html", context)


@login_required
@require_POST
def report_create(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    form = CreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择组织和年度"))
        return redirect("supervision:report-list")
    org = organization_get_for(user, form.cleaned_data["organization"])
    report = attempt(
        request,
        lambda: services.report_create(
            actor=user, organization=org, year=form.cleaned_data["year"]
        ),
        success=_("已创建年度报告，平台已预填已有信息，请逐项核对"),
    )
    if report is None:
        return redirect("supervision:report-list")
    return redirect("supervision:report-detail", report.pk)


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    report = report_get_for(user, pk)
    view = report_view(user, report)
    moves = [m for m in WORKFLOW.moves_for(user, report) if m.name != "conclude"]
    history = history_of(report)
    context = {
        "report": report,
        "view": view,
        "sections": report_content(report, personal=view.sees_personal_data),
        "problems": services.report_problems(report) if report.state in EDITABLE_STATES else [],
        "moves": moves,
        "may_edit": view.editable,
        "may_conclude": view.may_conclude,
        "history": history,
        # Issue 13: a returned report says why, at the top (not only in the log).
        "returned": current_return(report, history),
        **_attachments_context(report, may_attach=view.may_attach),
    }
    return render(request, "supervision/report_detail.html", context)


def _initial(report: AnnualReport, section: sec.Section) -> dict[str, Any]:
    return dict(report.data.get(section.code) or {})


def _section_of(report: AnnualReport, code: str) -> sec.Section:
    """The report's section named in the URL (404 for a section the report does not have)."""
    section = sec.SECTION_BY_CODE.get(code)
    if section is None or section not in services.report_sections(report):
        raise Http404(_("该报告没有这一部分"))
    return section


@login_required
@require_http_methods(["GET", "POST"])
def report_section(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    user = _me(request)
    report = report_get_for(user, pk)
    part = _section_of(report, section)
    decision = can_edit_report(user, report)
    if not decision:
        raise DjangoPermissionDenied(decision.reason)
    form_class = section_form_class(part, report.org_kind)
    form = form_class(request.POST or None, initial=_initial(report, part))
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            request,
            lambda: services.report_update_section(
                actor=user, report=report, section=part.code, values=form.cleaned_data
            ),
            form=form,
            success=_("已保存“%(section)s”") % {"section": part.label},
        )
        if saved is not None:
            return redirect("supervision:report-detail", report.pk)
    return render(
        request,
        "supervision/report_section.html",
        {
            "report": report,
            "section": part,
            "form": form,
            "problems": [],
            "income_total": (report.data.get("income") or {}).get("total_income")
            if part.code == "income"
            else None,
        },
    )


@login_required
@require_POST
def report_section_check(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    """htmx: check the section as typed (nothing is saved) and answer the problems fragment."""
    user = _me(request)
    report = report_get_for(user, pk)
    part = _section_of(report, section)
    decision = can_check_section(user, report)
    if not decision:
        raise Http404(decision.reason)
    form = section_form_class(part, report.org_kind)(request.POST)
    form.is_valid()
    cleaned, errors = services.parse_section(report, part.code, dict(form.cleaned_data))
    trial = dict(report.data)
    trial[part.code] = cleaned
    probe = AnnualReport(
        org_kind=report.org_kind,
        is_charity=report.is_charity,
        needs_rectification=report.needs_rectification,
        organization=report.organization,
        address_code=report.address_code,
        data=trial,
    )
    recompute(probe)
    problems = [p for p in services.report_problems(probe) if p.section == part.code and p.field]
    return render(
        request,
        "supervision/partials/section_problems.html",
        {
            "problems": problems,
            "errors": errors,
            "ratios": (probe.data.get("foundation_ratios") or {})
            if part.code == "foundation_ratios"
            else {},
            "income_total": (probe.data.get("income") or {}).get("total_income")
            if part.code == "income"
            else None,
        },
    )


@login_required
@require_POST
def report_transition(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    report = report_get_for(user, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请求无效"))
        return redirect("supervision:report-detail", report.pk)
    attempt(
        request,
        lambda: services.report_transition(
            actor=user,
            report=report,
            transition=form.cleaned_data["transition"],
            note=form.cleaned_data["note"],
        ),
        success=_("操作成功"),
    )
    return redirect("supervision:report-detail", report.pk)


# ---------------------------------------------------------------------------------------------
# Attachments


def _attachments_context(report: AnnualReport, *, may_attach: bool) -> dict[str, Any]:
    return {
        "report": report,
        "attachments": list(attachments_of(report)),
        "may_attach": may_attach,
        "upload_form": AttachmentForm() if may_attach else None,
    }


def _attachments_response(request: HttpRequest, report: AnnualReport) -> HttpResponse:
    if _htmx(request):
        return render(
            request,
            "supervision/partials/report_attachments.html",
            _attachments_context(report, may_attach=report_view(_me(request), report).may_attach),
        )
    return redirect("supervision:report-detail", report.pk)


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a document to the report (type sniffed from the content by the service)."""
    user = _me(request)
    report = report_get_for(user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = "；".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, _("未能上传：%(errors)s") % {"errors": errors})
        return _attachments_response(request, report)
    upload = form.cleaned_data["file"]
    attachment = attempt(
        request,
        lambda: services.attachment_add(
            actor=user,
            report=report,
            kind=form.cleaned_data["kind"],
            name=upload.name,
            stream=upload,
        ),
        refused=_("未能上传：%(reason)s"),
    )
    if attachment is not None:
        messages.success(request, _("已上传“%(name)s”") % {"name": attachment.original_name})
    return _attachments_response(request, report)


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """The stored file, always as a download (never shown inline, never sniffed)."""
    return stored_file_download(attachment_get_for(_me(request), pk))


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a document while the organisation still holds the report."""
    user = _me(request)
    attachment = attachment_get_for(user, pk)
    report, name = attachment.report, attachment.original_name
    attempt(
        request,
        lambda: services.attachment_remove(actor=user, attachment=attachment),
        success=_("已删除“%(name)s”") % {"name": name},
        refused=_("未能删除：%(reason)s"),
    )
    return _attachments_response(request, report)


@login_required
@require_http_methods(["GET", "POST"])
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The bureau's review page: the report, the supervisory opinion and the conclusion form."""
    user = _me(request)
    report = report_get_for(user, pk)
    decision = can_review_report(user, report)
    if not decision:
        raise Http404(decision.reason)
    form = ConclusionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        concluded = attempt(
            request,
            lambda: services.report_transition(
                actor=user,
                report=report,
                transition="conclude",
                conclusion=form.cleaned_data["conclusion"],
                note=form.cleaned_data["note"],
            ),
            form=form,
            success=_("已作出年检结论"),
        )
        if concluded is not None:
            return redirect("supervision:report-detail", report.pk)
    view = report_view(user, report)
    return render(
        request,
        "supervision/report_review.html",
        {
            "report": report,
            "view": view,
            "sections": report_content(report, personal=view.sees_personal_data),
            "form": form,
            "attachments": list(attachments_of(report)),
        },
    )


@login_required
@require_GET
def report_calendar(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    decision = can_list_reports(user)
    if not decision:
        raise Http404(decision.reason)
    year = query_year(request.GET, default=_season_year())
    code = scope_of(user).home_code
    return render(
        request,
        "supervision/report_calendar.html",
        {
            "year": year,
            "rows": calendar_rows(year, code),
            "charity_deadline": charity_disclosure_deadline(year, code),
            "years": range(_season_year(), _season_year() - 5, -1),
        },
    )


@login_required
@require_GET
def report_dashboard(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    decision = can_view_dashboard(user)
    if not decision:
        raise Http404(decision.reason)
    year = query_year(request.GET, default=_season_year())
    stats = submission_stats(user, year)
    list_url = reverse("supervision:report-list")
    years = list(range(_season_year(), _season_year() - 5, -1))
    rates = yearly_rates(user, years)
    states = state_counts(user, year)
    counts = conclusion_counts(year, reports_visible_to(user))
    conclusions = [(c.label, counts[c.value]) for c in Conclusion]
    charts = {
        # Drill-down: a click on a region opens its reports of the year.
        "regions": chart_data(
            [row.label for row in stats.by_region],
            [
                (_("应报"), [row.due for row in stats.by_region]),
                (_("已报"), [row.submitted for row in stats.by_region]),
                (_("按时"), [row.on_time for row in stats.by_region]),
            ],
            urls=[f"{list_url}?year={year}&region={row.code}" for row in stats.by_region],
            stacked=False,
        ),
        "rates": chart_data(
            [str(r.year) for r in rates],
            [
                (_("报送率"), [r.submission_rate for r in rates]),
                (_("合格率（含基本合格）"), [r.pass_rate for r in rates]),
            ],
        ),
        "states": chart_data(
            [label for _s, label, n in states if n],
            [(_("年度报告"), [n for _s, _l, n in states if n])],
        ),
        "conclusions": chart_data(
            [label for label, n in conclusions if n],
            [(_("年检结论"), [n for _l, n in conclusions if n])],
        ),
    }
    return render(
        request,
        "supervision/report_dashboard.html",
        {
            "stats": stats,
            "chart": charts["regions"],
            "charts": charts,
            "rates": rates,
            "states": states,
            "year": year,
            "years": years,
            "conclusions": conclusions,
            "list_url": list_url,
        },
    )


@login_required
@require_GET
def report_missing(request: HttpRequest) -> HttpResponse:
    """Organisations that must report for the year and have not reached the bureau (to chase)."""
    user = _me(request)
    decision = can_view_dashboard(user)
    if not decision:
        raise Http404(decision.reason)
    year = query_year(request.GET, default=_season_year())
    page = Paginator(organizations_missing(user, year), 50).get_page(request.GET.get("page"))
    held = dict(
        AnnualReport.objects.filter(
            year=year, organization_id__in=[o.pk for o in page]
        ).values_list("organization_id", "state")
    )
    rows = [(org, held.get(org.pk, ""), state_label(held.get(org.pk, ""))) for org in page]
    return render(
        request,
        "supervision/report_missing.html",
        {
            "page_obj": page,
            "rows": rows,
            "year": year,
            "years": range(_season_year(), _season_year() - 5, -1),
        },
    )
