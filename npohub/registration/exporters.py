"""Export of the registration applications list (core.exports): the page's check, filter form
and scoped selector, the columns the page shows (the statutory days left as of today)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from npohub.core.exports import Column, ExportDefinition, attr, form_filters, register

from .forms import ApplicationFilterForm
from .forms_filing import StateFilterForm
from .models import ActivityReportState
from .permissions import can_use_activity_reports, sees_applications
from .selectors import activity_reports_for, application_list_for
from .workflows import CLOCK_STATES, KIND_LABELS, S, state_label


def _days_left(app: Any) -> Any:
    """As the list page: days left while the statutory clock runs (or stands paused)."""
    running = app.state in CLOCK_STATES or (
        app.kind == "filing" and app.state in (S.SUBMITTED, S.COMMUNITY_CHECKED)
    )
    if app.accepted_on is None or not running:
        return ""
    return app.days_left(timezone.localdate())


register(
    ExportDefinition(
        key="registration.applications",
        title=_("登记申请"),
        list_url="registration:application-list",
        may_export=sees_applications,
        filters=form_filters(ApplicationFilterForm),
        records=application_list_for,
        columns=[
            attr(_("申请编号"), "number"),
            Column(_("申请事项"), lambda a: KIND_LABELS.get(a.kind, a.kind)),
            attr(_("组织名称"), "name"),
            Column(_("状态"), lambda a: state_label(a.state)),
            Column(_("剩余时限（工作日）"), _days_left),
            Column(_("时限暂停"), lambda a: bool(a.clock_paused and _days_left(a) != "")),
            Column(_("申请人"), lambda a: str(a.applicant) if a.applicant_id else ""),
            attr(_("更新时间"), "updated_at"),
        ],
    )
)


def _report_state(form: Any) -> str:
    return str(form.cleaned_data.get("state", "")) if form.is_bound else ""


def _activity_reports(user: Any, state: str) -> Any:
    reports = activity_reports_for(user)
    if state:
        reports = reports.filter(state=state)
    return reports.order_by("-starts_on", "-id")


register(
    ExportDefinition(
        key="community.activity_reports",
        title=_("重大活动报告"),
        list_url="community:activity-report-list",
        may_export=can_use_activity_reports,
        filters=form_filters(
            StateFilterForm, read=_report_state, states=lambda: ActivityReportState.choices
        ),
        records=_activity_reports,
        columns=[
            attr(_("活动名称"), "title"),
            attr(_("报告组织"), "organization.name"),
            attr(_("活动日期"), "starts_on"),
            attr(_("活动地点"), "location"),
            attr(_("预计人数"), "participants"),
            attr(_("状态"), "state"),
            attr(_("报告时间"), "created_at"),
        ],
    )
)
