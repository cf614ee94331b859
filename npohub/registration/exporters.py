"""Export of the registration applications list (core.exports): the page's check, filter form
and scoped selector, the columns the page shows (the statutory days left as of today)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from npohub.core.exports import Column, ExportDefinition, attr, form_filters, register

from .forms import ApplicationFilterForm
from .permissions import sees_applications
from .selectors import application_list_for
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
