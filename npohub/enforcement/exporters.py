"""Exports of the enforcement lists (core.exports): complaints and penalty cases, each with the
list page's own check, filter form and scoped selector, and the columns the page shows."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from npohub.core.exports import Column, ExportDefinition, attr, form_filters, register

from .forms import CaseFilterForm, ComplaintFilterForm
from .permissions import has_bureau_pages, is_enforcement_staff
from .selectors import campaign_list_for, case_list_for, complaint_list_for
from .workflows import case_state_label, complaint_state_label


def _complaints(user: Any, filters: Any) -> Any:
    return complaint_list_for(user, filters, today=timezone.localdate())


def _overdue(complaint: Any) -> str:
    return str(_("已超期")) if complaint.is_overdue(timezone.localdate()) else ""


register(
    ExportDefinition(
        key="enforcement.complaints",
        title=_("投诉举报"),
        list_url="enforcement:complaint-list",
        may_export=is_enforcement_staff,
        filters=form_filters(ComplaintFilterForm),
        records=_complaints,
        columns=[
            attr(_("受理编号"), "number"),
            attr(_("被投诉组织"), "organization_label"),
            attr(_("类别"), "category"),
            Column(_("状态"), lambda c: complaint_state_label(c.state)),
            attr(_("答复期限"), "reply_due_on"),
            Column(_("是否超期"), _overdue),
            Column(_("承办人"), lambda c: str(c.assignee) if c.assignee_id else ""),
        ],
    )
)

register(
    ExportDefinition(
        key="enforcement.cases",
        title=_("行政处罚案件"),
        list_url="enforcement:case-list",
        may_export=has_bureau_pages,
        filters=form_filters(CaseFilterForm),
        records=case_list_for,
        columns=[
            attr(_("案件编号"), "number"),
            attr(_("当事组织"), "organization.name"),
            attr(_("案由"), "title"),
            Column(_("状态"), lambda c: case_state_label(c.state)),
            attr(_("立案日期"), "filed_on"),
            attr(_("决定日期"), "decided_on"),
        ],
    )
)

register(
    ExportDefinition(
        key="enforcement.campaigns",
        title=_("僵尸型社会组织清理整治"),
        list_url="enforcement:campaign-list",
        may_export=has_bureau_pages,
        records=lambda user, _filters: campaign_list_for(user),
        columns=[
            attr(_("行动"), "name"),
            attr(_("范围"), "region.name"),
            attr(_("开始日期"), "started_on"),
            attr(_("清理对象"), "n_candidates"),
            attr(_("待处置"), "n_pending"),
            Column(_("状态"), lambda c: str(_("已结束")) if c.is_closed else str(_("进行中"))),
        ],
    )
)
