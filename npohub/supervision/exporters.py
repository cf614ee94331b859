"""Export of the annual-report list (core.exports): the page's check, filter form and scoped
selector, the columns the page shows."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from npohub.core.exports import Column, ExportDefinition, attr, form_filters, register

from .forms import ReportFilterForm
from .permissions import can_list_reports
from .selectors import report_list_for


def _late(report: object) -> str:
    received = getattr(report, "bureau_received_on", None)
    deadline = getattr(report, "bureau_deadline", None)
    return str(_("逾期")) if received and deadline and received > deadline else ""


register(
    ExportDefinition(
        key="supervision.reports",
        title=_("年度工作报告"),
        list_url="supervision:report-list",
        may_export=can_list_reports,
        filters=form_filters(ReportFilterForm),
        records=report_list_for,
        columns=[
            attr(_("年度"), "year"),
            attr(_("组织名称"), "organization.name"),
            attr(_("统一社会信用代码"), "organization.uscc"),
            attr(_("类型"), "organization.kind"),
            attr(_("状态"), "state_label"),
            attr(_("截止日期"), "bureau_deadline"),
            attr(_("报送日期"), "bureau_received_on"),
            Column(_("是否逾期"), _late),
            attr(_("结论"), "conclusion"),
        ],
    )
)
