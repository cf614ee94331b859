"""/api/v1/supervision/: annual reports — one operation per endpoint; thin (selector or one
service, render). Refusals are ``DomainError``s rendered as ``{code, message, details}``."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status, UploadedFile

from npohub.accounts.models import User
from npohub.core.audit import actor_label_for
from npohub.core.errors import PermissionDenied, ValidationFailed
from npohub.core.http import stored_file_download
from npohub.core.permissions import require
from npohub.orgs.scope import scope_of
from npohub.orgs.selectors import organization_get_for
from npohub.supervision.content import report_content
from npohub.supervision.models import EDITABLE_STATES, AnnualReport, ReportAttachment
from npohub.supervision.permissions import can_list_reports, can_view_dashboard, report_view
from npohub.supervision.selectors import (
    RateRow,
    ReportFilters,
    attachment_get_for,
    attachments_of,
    calendar_rows,
    charity_disclosure_deadline,
    organizations_missing,
    report_get_for,
    report_list_for,
    submission_stats,
)
from npohub.supervision.services import (
    attachment_add,
    attachment_remove,
    report_create,
    report_problems,
    report_transition,
    report_update_section,
)
from npohub.supervision.workflows import WORKFLOW, current_return, history_of

from ..history import history_out, move_out
from ..pagination import Page, PageParams, paginate
from ..request import api_user
from ..types import Year
from .schemas import (
    CalendarOut,
    ConclusionIn,
    ErrorOut,
    MissingOut,
    ProblemOut,
    ReportAttachmentIn,
    ReportAttachmentOut,
    ReportCreateIn,
    ReportDetailOut,
    ReportFilterIn,
    ReportListOut,
    SectionIn,
    StatsOut,
    SupervisionTransitionIn,
)

router = Router(tags=["supervision"])
ERRORS: dict[int, Any] = dict.fromkeys((400, 401, 403, 404, 409, 422), ErrorOut)


def row_of(report: AnnualReport) -> dict[str, Any]:
    received = report.bureau_received_on
    return {
        "id": report.pk,
        "year": report.year,
        "organization_id": report.organization_id,
        "organization_name": report.organization.name,
        "org_kind": report.org_kind,
        "state": report.state,
        "state_label": report.state_label,
        "is_dual_managed": report.is_dual_managed,
        "bureau_deadline": report.bureau_deadline,
        "bureau_received_on": received,
        "is_late": bool(received and received > report.bureau_deadline),
        "conclusion": report.conclusion,
        "conclusion_label": report.get_conclusion_display() if report.conclusion else "",
    }


def detail_of(user: User, report: AnnualReport) -> dict[str, Any]:
    """The report as this user sees it (``permissions.report_view``, as on the page): personal
    data in the content masked unless the user acts on the report."""
    view = report_view(user, report)
    sections = [
        {
            "code": shown.section.code,
            "label": str(shown.section.label),
            "fields": [
                {
                    "code": f.code,
                    "label": str(f.label),
                    "type": f.type,
                    "required": f.required,
                    "computed": f.computed,
                    "value": f.value,
                    "prefilled_from": f.source,
                    "confirmed": f.confirmed,
                }
                for f in shown.fields
            ],
        }
        for shown in report_content(report, personal=view.sees_personal_data)
    ]
    history = history_of(report)
    moves = WORKFLOW.moves_for(user, report)
    return {
        **row_of(report),
        "personal_data_masked": not view.sees_personal_data,
        "editable": view.editable,
        "is_charity": report.is_charity,
        "needs_rectification": report.needs_rectification,
        "rectification_basis": report.rectification_basis,
        "supervisor_deadline": report.supervisor_deadline,
        "submitted_on": report.submitted_on,
        "supervisor_reviewed_on": report.supervisor_reviewed_on,
        "supervisor_opinion": report.supervisor_opinion,
        "returned": current_return(report, history),
        "conclusion_reasons": report.conclusion_reasons,
        "concluded_on": report.concluded_on,
        "published_on": report.published_on,
        "sections": sections,
        "problems": [p.as_dict() for p in report_problems(report)]
        if report.state in EDITABLE_STATES
        else [],
        "moves": [m.name for m in moves],
        "move_options": [move_out(m) for m in moves],
        "attachments": [attachment_of(a) for a in attachments_of(report)],
        "history": [history_out(h) for h in history],
    }


def attachment_of(attachment: ReportAttachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "kind": attachment.kind,
        "kind_label": attachment.get_kind_display(),
        "name": attachment.original_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "uploaded_by": actor_label_for(attachment.uploaded_by),
        "uploaded_at": attachment.uploaded_at,
        "download_url": reverse(
            "api:supervision_attachment_download", kwargs={"attachment_id": attachment.pk}
        ),
    }


@router.get(
    "/reports",
    response={200: Page[ReportListOut], **ERRORS},
    operation_id="supervision_reports_list",
)
def reports_list(
    request: HttpRequest, filters: Query[ReportFilterIn], page: Query[PageParams]
) -> dict[str, Any]:
    """Annual reports of the organisations the caller may see, newest year first."""
    user = api_user(request)
    require(can_list_reports(user))
    qs = report_list_for(
        user,
        ReportFilters(
            year=filters.year,
            state=filters.state,
            kind=filters.kind,
            conclusion=filters.conclusion,
            region_prefix=filters.region.rstrip("0") if filters.region else "",
            search=filters.q,
        ),
    )
    return paginate(request, qs, page, render=row_of)


@router.post(
    "/reports", response={201: ReportDetailOut, **ERRORS}, operation_id="supervision_reports_create"
)
def reports_create(request: HttpRequest, payload: ReportCreateIn) -> Status[Any]:
    """Open the organisation's report for a year, pre-filled from the registry (fill once)."""
    user = api_user(request)
    org = organization_get_for(user, payload.organization_id)
    report = report_create(actor=user, organization=org, year=payload.year)
    return Status(201, detail_of(user, report))


@router.get(
    "/reports/{int:report_id}",
    response={200: ReportDetailOut, **ERRORS},
    operation_id="supervision_reports_detail",
)
def reports_detail(request: HttpRequest, report_id: int) -> dict[str, Any]:
    """One report with its sections, pre-fill marks, open problems, moves and history."""
    user = api_user(request)
    return detail_of(user, report_get_for(user, report_id))


@router.put(
    "/reports/{int:report_id}/sections/{section}",
    response={200: ReportDetailOut, **ERRORS},
    operation_id="supervision_reports_section_update",
)
def reports_section_update(
    request: HttpRequest, report_id: int, section: str, payload: SectionIn
) -> dict[str, Any]:
    """Save one section (the organisation, while it holds the report); confirms its pre-fills."""
    user = api_user(request)
    report = report_get_for(user, report_id)
    report = report_update_section(
        actor=user, report=report, section=section, values=payload.values
    )
    return detail_of(user, report)


@router.get(
    "/reports/{int:report_id}/problems",
    response={200: list[ProblemOut], **ERRORS},
    operation_id="supervision_reports_validate",
)
def reports_validate(request: HttpRequest, report_id: int) -> list[dict[str, str]]:
    """Everything that keeps the report from being submitted, each naming section and field."""
    user = api_user(request)
    report = report_get_for(user, report_id)
    if not report_view(user, report).held:
        raise PermissionDenied(_("无权查看该报告的校验结果"))
    return [p.as_dict() for p in report_problems(report)]


@router.post(
    "/reports/{int:report_id}/transitions",
    response={200: ReportDetailOut, **ERRORS},
    operation_id="supervision_reports_transition",
)
def reports_transition(
    request: HttpRequest, report_id: int, payload: SupervisionTransitionIn
) -> dict[str, Any]:
    """Submit, first review (approve/return), return for revision, publish or reopen."""
    user = api_user(request)
    report = report_get_for(user, report_id)
    report = report_transition(
        actor=user, report=report, transition=payload.transition, note=payload.note
    )
    return detail_of(user, report)


@router.post(
    "/reports/{int:report_id}/conclusion",
    response={200: ReportDetailOut, **ERRORS},
    operation_id="supervision_reports_conclude",
)
def reports_conclude(request: HttpRequest, report_id: int, payload: ConclusionIn) -> dict[str, Any]:
    """The bureau's conclusion: 合格 / 基本合格 / 不合格 (the last two with reasons)."""
    user = api_user(request)
    report = report_get_for(user, report_id)
    report = report_transition(
        actor=user,
        report=report,
        transition="conclude",
        conclusion=payload.conclusion,
        note=payload.reasons,
    )
    return detail_of(user, report)


@router.post(
    "/reports/{int:report_id}/attachments",
    response={201: ReportAttachmentOut, **ERRORS},
    operation_id="supervision_attachments_upload",
)
def attachment_upload(
    request: HttpRequest,
    report_id: int,
    form: Form[ReportAttachmentIn],
    file: File[UploadedFile | None] = None,
) -> Status[Any]:
    """Attach a document while the organisation holds the report (multipart: ``kind``,
    ``file``). PDF, PNG/JPG/GIF and .docx/.xlsx/.pptx only, checked by content."""
    user = api_user(request)
    report = report_get_for(user, report_id)
    if not form.kind:
        raise ValidationFailed(_("请选择材料类型"), details={"kind": _("必填")})
    if file is None:
        raise ValidationFailed(_("请选择要上传的文件"), details={"file": _("必填")})
    attachment = attachment_add(
        actor=user, report=report, kind=form.kind, name=file.name or "", stream=file
    )
    return Status(201, attachment_of(attachment))


@router.get(
    "/attachments/{int:attachment_id}/download",
    response=ERRORS,
    operation_id="supervision_attachments_download",
    url_name="supervision_attachment_download",
    openapi_extra={
        "responses": {
            200: {
                "description": "文件内容（Content-Disposition: attachment）",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    """The stored file, to whoever may see the report (404 to everyone else)."""
    return stored_file_download(attachment_get_for(api_user(request), attachment_id))


@router.delete(
    "/attachments/{int:attachment_id}",
    response={204: None, **ERRORS},
    operation_id="supervision_attachments_delete",
)
def attachment_delete(request: HttpRequest, attachment_id: int) -> Status[Any]:
    """Remove a document while the organisation still holds the report."""
    user = api_user(request)
    attachment = attachment_get_for(user, attachment_id)
    attachment_remove(actor=user, attachment=attachment)
    return Status(204, None)


@router.get("/calendar", response={200: CalendarOut, **ERRORS}, operation_id="supervision_calendar")
def calendar(request: HttpRequest, year: Year) -> dict[str, Any]:
    """Rule 21 for one report year in the caller's province: deadlines per kind and exemption."""
    user = api_user(request)
    require(can_list_reports(user))
    code = scope_of(user).home_code
    return {
        "year": year,
        "rows": calendar_rows(year, code),
        "charity_disclosure": charity_disclosure_deadline(year, code),
    }


def _rate(row: RateRow) -> dict[str, Any]:
    return {
        "code": row.code,
        "label": row.label,
        "due": row.due,
        "submitted": row.submitted,
        "on_time": row.on_time,
        "rate": row.rate,
    }


@router.get("/stats", response={200: StatsOut, **ERRORS}, operation_id="supervision_stats")
def stats(request: HttpRequest, year: Year) -> dict[str, Any]:
    """Submission rate per child region of the caller's region and per kind."""
    user = api_user(request)
    require(can_view_dashboard(user))
    result = submission_stats(user, year)
    return {
        "year": year,
        "region_code": result.region.code if result.region else "",
        "by_region": [_rate(r) for r in result.by_region],
        "by_kind": [_rate(r) for r in result.by_kind],
        "total": _rate(result.total),
    }


@router.get(
    "/missing",
    response={200: Page[MissingOut], **ERRORS},
    operation_id="supervision_missing_list",
)
def missing_list(request: HttpRequest, page: Query[PageParams], year: Year) -> dict[str, Any]:
    """Organisations in the caller's region that must report for ``year`` and have not yet
    reached the bureau (who must report: rules 21, 22, 48)."""
    user = api_user(request)
    require(can_view_dashboard(user))
    result = paginate(request, organizations_missing(user, year), page)
    result["results"] = [
        {"organization_id": o.pk, "name": o.name, "kind": o.kind, "address_code": o.address_code}
        for o in result["results"]
    ]
    return result
