"""/api/v1/community/: filed groups' major-activity reports and filing delegation.

Thin: scoped fetch, one service, render. Refusals come back as the error envelope.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from npohub.api.request import api_user
from npohub.core.errors import NotFound, ValidationFailed
from npohub.core.permissions import require
from npohub.orgs.selectors import organization_get_for
from npohub.regions.codes import is_valid, pad
from npohub.regions.models import Region
from npohub.registration import services
from npohub.registration.models import ActivityReport, FilingDelegation
from npohub.registration.permissions import can_use_activity_reports, can_view_delegations
from npohub.registration.selectors import (
    activity_report_get_for,
    activity_reports_for,
    filing_delegations_for,
)
from npohub.registration.views.filing import report_actions

from ..orgs.schemas import ErrorOut
from ..pagination import Page, PageParams, paginate
from .schemas import (
    ActivityActionIn,
    ActivityReportFilterIn,
    ActivityReportIn,
    ActivityReportOut,
    DelegationEndIn,
    DelegationIn,
    DelegationOut,
)

router = Router(tags=["community"])

ERRORS: dict[int, Any] = dict.fromkeys((401, 403, 404, 409, 422), ErrorOut)


def report_of(user: Any, report: ActivityReport) -> dict[str, Any]:
    return {
        "id": report.pk,
        "organization_id": report.organization_id,
        "organization_name": report.organization.name,
        "title": report.title,
        "starts_on": report.starts_on,
        "location": report.location,
        "participants": report.participants,
        "description": report.description,
        "state": report.state,
        "state_label": report.get_state_display(),
        "reported_by": str(report.reported_by),
        "created_at": report.created_at,
        "thread": [
            {
                "by": str(entry.get("by", "")),
                "role": str(entry.get("role", "")),
                "action": str(entry.get("action", "")),
                "text": str(entry.get("text", "")),
                "at": str(entry.get("at", "")),
            }
            for entry in report.thread or []
        ],
        "actions": [action for action, _label in report_actions(user, report)],
    }


def delegation_of(delegation: FilingDelegation) -> dict[str, Any]:
    today = timezone.localdate()
    if delegation.valid_from > today:
        state = "pending"
    elif delegation.valid_until is not None and delegation.valid_until < today:
        state = "ended"
    else:
        state = "active"
    return {
        "id": delegation.pk,
        "street_code": delegation.street.code,
        "street_name": delegation.street.name,
        "federation_id": delegation.federation_id,
        "federation_name": delegation.federation.name,
        "valid_from": delegation.valid_from,
        "valid_until": delegation.valid_until,
        "state": state,
        "created_by": str(delegation.created_by),
    }


# --- activity reports ----------------------------------------------------------------------


@router.get(
    "/activity-reports",
    response={200: Page[ActivityReportOut], **ERRORS},
    operation_id="community_activity_reports_list",
)
def activity_report_list(
    request: HttpRequest, filters: Query[ActivityReportFilterIn], page: Query[PageParams]
) -> dict[str, Any]:
    """Reports in the caller's scope: a group's own, a street's (or delegated federation's)."""
    require(can_use_activity_reports(api_user(request)))
    qs = activity_reports_for(api_user(request))
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.organization_id is not None:
        qs = qs.filter(organization_id=filters.organization_id)
    result = paginate(request, qs.order_by("-starts_on", "-id"), page)
    result["results"] = [report_of(api_user(request), r) for r in result["results"]]
    return result


@router.post(
    "/activity-reports",
    response={201: ActivityReportOut, **ERRORS},
    operation_id="community_activity_reports_create",
)
def activity_report_create(request: HttpRequest, payload: ActivityReportIn) -> Any:
    """Report a major activity of a filed group (its own account or its community)."""
    try:
        org = organization_get_for(api_user(request), payload.organization_id)
    except NotFound as exc:
        raise NotFound(
            _("组织不存在"), details={"organization_id": _("不存在或不在您的范围内")}
        ) from exc
    report = services.activity_report_create(
        actor=api_user(request),
        org=org,
        title=payload.title,
        starts_on=payload.starts_on,
        location=payload.location,
        participants=payload.participants,
        description=payload.description,
    )
    return Status(
        201, report_of(api_user(request), activity_report_get_for(api_user(request), report.pk))
    )


@router.get(
    "/activity-reports/{int:report_id}",
    response={200: ActivityReportOut, **ERRORS},
    operation_id="community_activity_reports_detail",
)
def activity_report_detail(request: HttpRequest, report_id: int) -> dict[str, Any]:
    """One report with its thread; 404 for a missing id and one outside the scope alike."""
    return report_of(api_user(request), activity_report_get_for(api_user(request), report_id))


@router.post(
    "/activity-reports/{int:report_id}/actions",
    response={200: ActivityReportOut, **ERRORS},
    operation_id="community_activity_reports_act",
)
def activity_report_act(
    request: HttpRequest, report_id: int, payload: ActivityActionIn
) -> dict[str, Any]:
    """知悉 / 提出疑问 (the street or its delegated federation), 说明 (the group)."""
    report = activity_report_get_for(api_user(request), report_id)
    services.activity_report_act(
        actor=api_user(request), report=report, action=payload.action, text=payload.text
    )
    return report_of(api_user(request), activity_report_get_for(api_user(request), report_id))


# --- filing delegation ---------------------------------------------------------------------


@router.get(
    "/delegations",
    response={200: Page[DelegationOut], **ERRORS},
    operation_id="community_delegations_list",
)
def delegation_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    """Delegations in the caller's region (street offices, bureaus) or to its federation (hubs)."""
    require(can_view_delegations(api_user(request)))
    return paginate(request, filing_delegations_for(api_user(request)), page, render=delegation_of)


@router.post(
    "/delegations",
    response={201: DelegationOut, **ERRORS},
    operation_id="community_delegations_create",
)
def delegation_create(request: HttpRequest, payload: DelegationIn) -> Any:
    """A street office (or the bureau above it) delegates filing decisions to a federation."""
    code = payload.street_code.strip()
    street = (
        Region.objects.filter(code=pad(code), is_active=True).first() if is_valid(code) else None
    )
    if street is None:
        raise ValidationFailed(
            _("未知的街道区划代码“%(code)s”") % {"code": code},
            details={"street_code": _("未知的区划代码")},
        )
    try:
        federation = organization_get_for(api_user(request), payload.federation_id)
    except NotFound as exc:
        raise NotFound(
            _("组织不存在"), details={"federation_id": _("不存在或不在您的范围内")}
        ) from exc
    try:
        delegation = services.filing_delegation_create(
            actor=api_user(request),
            street=street,
            federation=federation,
            valid_from=payload.valid_from,
            valid_until=payload.valid_until,
        )
    except ValidationFailed as exc:
        # The service names its arguments; the API names the fields of the request body.
        if isinstance(exc.details, dict):
            renamed = {"street": "street_code", "federation": "federation_id"}
            exc.details = {renamed.get(k, k): v for k, v in exc.details.items()}
        raise
    return Status(201, delegation_of(delegation))


@router.post(
    "/delegations/{int:delegation_id}/end",
    response={200: DelegationOut, **ERRORS},
    operation_id="community_delegations_end",
)
def delegation_end(request: HttpRequest, delegation_id: int, payload: DelegationEndIn) -> Any:
    """End a delegation: ``valid_until`` becomes its last valid day (never extended)."""
    delegation = filing_delegations_for(api_user(request)).filter(pk=delegation_id).first()
    if delegation is None:
        raise NotFound(_("备案委托不存在"))
    delegation = services.filing_delegation_end(
        actor=api_user(request), delegation=delegation, valid_until=payload.valid_until
    )
    return delegation_of(delegation)
