"""/api/v1/supervision/: annual reports — one operation per endpoint; thin (selector or one
service, render). Refusals are ``DomainError``s rendered as ``{code, message, details}``."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status, UploadedFile

from npohub.core.audit import actor_label_for
from npohub.core.errors import PermissionDenied, ValidationFailed
from npohub.core.permissions import require
from npohub.core.workflows import HistoryRow
from npohub.orgs.selectors import organization_get_for
from npohub.supervision.models import EDITABLE_STATES, AnnualReport, ReportAttachment
from npohub.supervision.permissions import can_list_reports, can_view_dashboard, capacities_of
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
    report_sections,
    report_transition,
    report_update_section,
)
from npohub.supervision.workflows import WORKFLOW, current_return, history_of

from ..history import move_out
from ..pagination import Page, PageParams, paginate
from .schemas import (
    AttachmentIn,
    AttachmentOut,
    CalendarOut,
    ConclusionIn,
    ErrorOut,
    MissingOut,
    ProblemOut,
    ReportCreateIn,
    ReportDetailOut,
    ReportFilterIn,
    ReportListOut,
    SectionIn,
    StatsOut,
    TransitionIn,
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


def detail_of(user: Any, report: AnnualReport) -> dict[str, Any]:
    confirmed = set(report.confirmed)
    sections = []
    for section in report_sections(report):
        values = report.data.get(section.code) or {}
        sections.append(
            {
                "code": section.code,
                "label": str(section.label),
                "fields": [
                    {
                        "code": f.code,
                        "label": str(f.label),
                        "type": f.type,
                        "required": f.required,
                        "computed": f.computed,
                        "value": values.get(f.code),
                        "prefilled_from": report.prefilled.get(f"{section.code}.{f.code}", ""),
                        "confirmed": f"{section.code}.{f.code}" in confirmed,
                    }
                    for f in section.fields_for(report.org_kind)
                ],
            }
        )
    history = history_of(report)
    moves = WORKFLOW.moves_for(user, report)
    return {
        **row_of(report),
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
        "history": [change_of(h) for h in history],
    }


def change_of(change: HistoryRow) -> dict[str, Any]:
    return {
        "transition": change.move,
        "transition_label": change.move_label,
        "from_state": change.from_state,
        "from_label": change.from_label,
        "to_state": change.to_state,
        "to_label": change.to_label,
        "actor": change.actor_display,
        "note": change.note,
        "occurred_at": change.occurred_at,
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
    require(can_list_reports(request.auth))
    qs = report_list_for(
        request.auth,
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
def reports_create(request: HttpRequest, payload: ReportCreateIn) -> Status:
    """Open the organisation's report for a year, pre-filled from the registry (fill once)."""
    org = organization_get_for(request.auth, payload.organization_id)
    report = report_create(actor=request.auth, organization=org, year=payload.year)
    return Status(201, detail_of(request.auth, report))


@router.get(
    "/reports/{int:report_id}",
    response={200: ReportDetailOut, **ERRORS},
    operation_id="supervision_reports_detail",
)
def reports_detail(request: HttpRequest, report_id: int) -> dict[str, Any]:
    """One report with its sections, pre-fill marks, open problems, moves and history."""
    return detail_of(request.auth, report_get_for(request.auth, report_id))


@router.put(
    "/reports/{int:report_id}/sections/{section}",
    response={200: ReportDetailOut, **ERRORS},
    operation_id="supervision_reports_section_update",
)
def reports_section_update(
    request: HttpRequest, report_id: int, section: str, payload: SectionIn
) -> dict[str, Any]:
    """Save one section (the organisation, while it holds the report); confirms its pre-fills."""
    report = report_get_for(request.auth, report_id)
    report = report_update_section(
        actor=request.auth, report=report, section=section, values=payload.values
    )
    return detail_of(request.auth, report)


@router.get(
    "/reports/{int:report_id}/problems",
    response={200: list[ProblemOut], **ERRORS},
    operation_id="supervision_reports_validate",
)
def reports_validate(request: HttpRequest, report_id: int) -> list[dict[str, str]]:
    """Everything that keeps the report from being submitted, each naming section and field."""
    report = report_get_for(request.auth, report_id)
    if not capacities_of(request.auth, report):
        raise PermissionDenied("无权查看该报告的校验结果")
    return [p.as_dict() for p in report_problems(report)]


@router.post(
    "/reports/{int:report_id}/transitions",
    response={200: ReportDetailOut, **ERRORS},
    operation_id="supervision_reports_transition",
)
def reports_transition(
    request: HttpRequest, report_id: int, payload: TransitionIn
) -> dict[str, Any]:
    """Submit, first review (approve/return), return for revision, publish or reopen."""
    report = report_get_for(request.auth, report_id)
    report = report_transition(
        actor=request.auth, report=report, transition=payload.transition, note=payload.note
    )
    return detail_of(request.auth, report)


@router.post(
    "/reports/{int:report_id}/conclusion",
    response={200: ReportDetailOut, **ERRORS},
    operation_id="supervision_reports_conclude",
)
def reports_conclude(request: HttpRequest, report_id: int, payload: ConclusionIn) -> dict[str, Any]:
    """The bureau's conclusion: 合格 / 基本合格 / 不合格 (the last two with reasons)."""
    report = report_get_for(request.auth, report_id)
    report = report_transition(
        actor=request.auth,
        report=report,
        transition="conclude",
        conclusion=payload.conclusion,
        note=payload.reasons,
    )
    return detail_of(request.auth, report)


@router.post(
    "/reports/{int:report_id}/attachments",
    response={201: AttachmentOut, **ERRORS},
    operation_id="supervision_attachments_upload",
)
def attachment_upload(
    request: HttpRequest,
    report_id: int,
    form: Form[AttachmentIn],
    file: File[UploadedFile | None] = None,
) -> Status:
    """Attach a document while the organisation holds the report (multipart: ``kind``,
    ``file``). PDF, PNG/JPG/GIF and .docx/.xlsx/.pptx only, checked by content."""
    report = report_get_for(request.auth, report_id)
    if not form.kind:
        raise ValidationFailed(_("请选择材料类型"), details={"kind": _("必填")})
    if file is None:
        raise ValidationFailed(_("请选择要上传的文件"), details={"file": _("必填")})
    attachment = attachment_add(
        actor=request.auth, report=report, kind=form.kind, name=file.name or "", stream=file
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
    attachment = attachment_get_for(request.auth, attachment_id)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.delete(
    "/attachments/{int:attachment_id}",
    response={204: None, **ERRORS},
    operation_id="supervision_attachments_delete",
)
def attachment_delete(request: HttpRequest, attachment_id: int) -> Status:
    """Remove a document while the organisation still holds the report."""
    attachment = attachment_get_for(request.auth, attachment_id)
    attachment_remove(actor=request.auth, attachment=attachment)
    return Status(204, None)


@router.get("/calendar", response={200: CalendarOut, **ERRORS}, operation_id="supervision_calendar")
def calendar(request: HttpRequest, year: int) -> dict[str, Any]:
    """Rule 21 for one report year in the caller's province: deadlines per kind and exemption."""
    require(can_list_reports(request.auth))
    code = getattr(request.auth, "scope_prefix", "") or ""
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
def stats(request: HttpRequest, year: int) -> dict[str, Any]:
    """Submission rate per child region of the caller's region and per kind."""
    require(can_view_dashboard(request.auth))
    result = submission_stats(request.auth, year)
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
def missing_list(request: HttpRequest, page: Query[PageParams], year: int) -> dict[str, Any]:
    """Organisations in the caller's region that must report for ``year`` and have not yet
    reached the bureau (who must report: rules 21, 22, 48)."""
    require(can_view_dashboard(request.auth))
    result = paginate(request, organizations_missing(request.auth, year), page)
    result["results"] = [
        {"organization_id": o.pk, "name": o.name, "kind": o.kind, "address_code": o.address_code}
        for o in result["results"]
    ]
    return result
