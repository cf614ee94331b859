"""/api/v1/registration/: applications, joint review, deadlines and the workflow tables.

Thin: fetch with the scoped selector (missing and forbidden are the same 404), call one
registration service, render. Every refusal is a ``DomainError`` from the services, which the
API turns into the ``{code, message, details}`` envelope with its HTTP status.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import File, Form, Query, Router, Status, UploadedFile

from npohub.api.request import api_user
from npohub.core.audit import actor_label_for
from npohub.core.errors import NotFound, ValidationFailed
from npohub.core.http import stored_file_download
from npohub.core.validators import mask_id_number, mask_phone
from npohub.core.workflows import HistoryRow
from npohub.orgs.models import Kind
from npohub.orgs.selectors import organization_get_for
from npohub.regions.codes import is_valid
from npohub.registration.models import (
    Application,
    Attachment,
    AttachmentKind,
    Department,
    DepartmentKind,
    ReviewTask,
)
from npohub.registration.permissions import application_view, can_review, capacities_of
from npohub.registration.selectors import (
    ApplicationFilters,
    application_get_for,
    application_list_for,
    attachment_get_for,
    attachments_of,
    deadline_board_for,
    department_by_id,
    departments_for_authority,
    review_inbox_for,
    review_task_get_for,
    review_tasks_of,
    state_changes_of,
)
from npohub.registration.services import (
    application_create,
    application_transition,
    application_update,
    attachment_add,
    attachment_remove,
    review_opinion_give,
)
from npohub.registration.workflows import (
    APPLICANT_EDITABLE,
    FINAL_STATES,
    KIND_LABELS,
    STATE_LABELS,
    WORKFLOWS,
    Workflow,
    state_label,
)

from ..pagination import Page, PageParams, paginate
from .schemas import (
    ApplicationCreateIn,
    ApplicationDetailOut,
    ApplicationFilterIn,
    ApplicationListOut,
    ApplicationPatchIn,
    AttachmentIn,
    AttachmentOut,
    DeadlineRowOut,
    DepartmentFilterIn,
    DepartmentOut,
    ErrorOut,
    OpinionIn,
    ReviewDetailOut,
    ReviewFilterIn,
    ReviewInboxOut,
    TransitionIn,
    WorkflowOut,
)

router = Router(tags=["registration"])

ERRORS: dict[int, Any] = dict.fromkeys((401, 403, 404, 409, 422), ErrorOut)

# Who makes a transition, in words (the ``capacity`` of workflows.Transition).
CAPACITY_LABELS = {
    "applicant": gettext_lazy("申请人"),
    "bureau": gettext_lazy("登记管理机关"),
    "community": gettext_lazy("所在社区"),
    "street": gettext_lazy("所在街道（或受委托的街道社会组织联合会）"),
    "system": gettext_lazy("系统（联审意见齐备后自动）"),
}


# --- input checks that only name a field (the rules live in the services) ----------------------


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: message})


def _check_kind(kind: str, field: str = "kind") -> None:
    if kind and kind not in WORKFLOWS:
        raise _invalid(field, _("未知的申请事项“%(kind)s”") % {"kind": kind})


def _check_state(state: str) -> None:
    if state and state not in STATE_LABELS:
        raise _invalid("state", _("未知的状态“%(state)s”") % {"state": state})


def _department(pk: int | None, field: str = "supervisory_department_id") -> Department | None:
    if pk is None:
        return None
    department = department_by_id(pk)
    if department is None:
        raise _invalid(field, _("部门不存在或已停用"))
    return department


def _organization(user: Any, pk: int | None) -> Any:
    if pk is None:
        return None
    try:
        return organization_get_for(user, pk)
    except NotFound:
        raise _invalid("organization_id", _("组织不存在或不在您的范围内")) from None


def _task_of(user: Any, app: Application, pk: int) -> ReviewTask:
    try:
        task = review_task_get_for(user, pk)
    except NotFound:
        raise _invalid("review_task_id", _("审查任务不存在")) from None
    if task.application_id != app.pk:
        raise _invalid("review_task_id", _("该审查任务不属于此申请"))
    task.application = app
    return task


# --- rendering ---------------------------------------------------------------------------------


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _code_names(choices: Any, values: Any) -> list[dict[str, str]]:
    return [{"code": v, "name": _label(choices, v)} for v in values]


def department_of(department: Department) -> dict[str, Any]:
    return {
        "id": department.pk,
        "name": department.name,
        "kind": department.kind,
        "kind_label": department.get_kind_display(),
        "region": {"code": department.region.code, "name": department.region.name},
    }


def summary_of(app: Application) -> dict[str, Any]:
    """Reads ``authority_region`` and ``organization`` (select them with the application)."""
    return {
        "id": app.pk,
        "number": app.number,
        "kind": app.kind,
        "kind_label": str(KIND_LABELS.get(app.kind, app.kind)),
        "state": app.state,
        "state_label": state_label(app.state),
        "name": app.name,
        "org_kind": app.org_kind,
        "org_kind_label": _label(Kind, app.org_kind),
        "organization": (
            {"id": app.organization.pk, "name": app.organization.name}
            if app.organization is not None
            else None
        ),
        "authority_region": {
            "code": app.authority_region.code,
            "name": app.authority_region.name,
        },
        "address_code": app.address_code,
    }


def list_row_of(app: Application, today: dt.date) -> dict[str, Any]:
    """Also reads ``category`` and ``applicant`` (selected by ``application_list_for``)."""
    return {
        **summary_of(app),
        "category": (
            {"code": app.category.code, "name": app.category.name}
            if app.category is not None
            else None
        ),
        "applicant": actor_label_for(app.applicant),
        "is_direct": app.is_direct,
        "is_charity": app.is_charity,
        "submitted_at": app.submitted_at,
        "accepted_on": app.accepted_on,
        "due_on": app.due_on(today),
        "days_left": app.days_left(today),
        "paused": app.clock_paused,
        "created_at": app.created_at,
        "updated_at": app.updated_at,
    }


def attachment_of(attachment: Attachment) -> dict[str, Any]:
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
        "review_task_id": attachment.review_task_id,
        "download_url": reverse(
            "api:registration_attachment_download", kwargs={"attachment_id": attachment.pk}
        ),
    }


def task_of(task: ReviewTask, app: Application) -> dict[str, Any]:
    return {
        "id": task.pk,
        "department": department_of(task.department),
        "round": task.round,
        "opinion": task.opinion,
        "opinion_label": task.get_opinion_display() if task.opinion else str(_("待提出意见")),
        "reasons": task.reasons,
        "reviewer": actor_label_for(task.reviewer) if task.reviewer_id else None,
        "created_at": task.created_at,
        "due_on": task.due_on,
        "decided_at": task.decided_at,
        "is_pending": task.is_pending,
        "is_current": task.round == app.review_round and app.state == "in_review",
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
        "on_behalf_of": change.on_behalf_of,
        "note": change.note,
        "occurred_at": change.occurred_at,
    }


def masked(value: Any) -> Any:
    """``data`` with every ``*id_number`` and ``*phone`` value masked, at any depth."""
    if isinstance(value, list):
        return [masked(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, str) and key.endswith("id_number"):
            out[key] = mask_id_number(item)
        elif isinstance(item, str) and key.endswith("phone"):
            out[key] = mask_phone(item)
        else:
            out[key] = masked(item)
    return out


def detail_of(user: Any, app: Application) -> dict[str, Any]:
    """The whole application as this user sees it, with the moves open to them now."""
    today = timezone.localdate()
    workflow: Workflow = WORKFLOWS[app.kind]
    held, _behalf = capacities_of(user, app)
    starter = "bureau" if workflow.started_by == "bureau" else "applicant"
    show = application_view(user, app).sees_personal_data
    attachments = list(attachments_of(app))
    by_task: dict[int, list[dict[str, Any]]] = {}
    for attachment in attachments:
        if attachment.review_task_id is not None:
            by_task.setdefault(attachment.review_task_id, []).append(attachment_of(attachment))
    days_left = app.days_left(today)
    return {
        **list_row_of(app, today),
        "data": app.data if show else masked(app.data),
        "personal_data_masked": not show,
        "supervisory_department": (
            department_of(app.supervisory_department)
            if app.supervisory_department is not None
            else None
        ),
        "supervisory_consent_on": app.supervisory_consent_on,
        "review_round": app.review_round,
        "decided_at": app.decided_at,
        "decision_note": app.decision_note,
        "flags": list(app.flags or []),
        "result": dict(app.result or {}),
        "clock": {
            "accepted_on": app.accepted_on,
            "deadline_days": app.deadline_days,
            "due_on": app.due_on(today),
            "days_left": days_left,
            "overdue": days_left is not None and days_left < 0 and app.state not in FINAL_STATES,
            "paused": app.clock_paused,
            "paused_since": app.paused_since,
            "paused_days": app.paused_days_on(today),
        },
        "editable": starter in held and app.state in APPLICANT_EDITABLE,
        "required_attachments": _code_names(AttachmentKind, workflow.required_attachments),
        "transitions": [
            {
                "name": t.name,
                "label": str(t.label),
                "target": t.target,
                "target_label": state_label(t.target),
                "needs_note": t.needs_note,
            }
            for t in workflow.available(app.state)
            if t.capacity in held
        ],
        "review_tasks": [
            {**task_of(task, app), "attachments": by_task.get(task.pk, [])}
            for task in review_tasks_of(app).select_related("department__region")
        ],
        "history": [change_of(c) for c in state_changes_of(app)],
        "attachments": [attachment_of(a) for a in attachments],
    }


def review_of(task: ReviewTask) -> dict[str, Any]:
    """Reads the task's department (and region) and application (with region, organisation)."""
    return {**task_of(task, task.application), "application": summary_of(task.application)}


def review_detail_of(user: Any, task: ReviewTask) -> dict[str, Any]:
    decision = can_review(user, task)
    return {
        **review_of(task),
        "attachments": [
            attachment_of(a) for a in attachments_of(task.application).filter(review_task=task)
        ],
        "can_give_opinion": decision.allowed,
        "reason": decision.reason,
    }


def workflow_of(workflow: Workflow) -> dict[str, Any]:
    used = {"draft"}
    for t in workflow.transitions:
        used |= t.sources | {t.target}
    return {
        "kind": workflow.kind,
        "label": str(workflow.label),
        "org_kinds": _code_names(Kind, sorted(workflow.org_kinds)),
        "needs_organization": workflow.needs_organization,
        "started_by": workflow.started_by,
        "form": workflow.form,
        "deadline_key": workflow.deadline_key,
        "announcement": workflow.announcement,
        "states": [
            {
                "code": code,
                "label": str(label),
                "final": code in FINAL_STATES,
                "applicant_editable": code in APPLICANT_EDITABLE,
            }
            for code, label in STATE_LABELS.items()
            if code in used
        ],
        "transitions": [
            {
                "name": t.name,
                "label": str(t.label),
                "sources": sorted(t.sources, key=list(STATE_LABELS).index),
                "target": t.target,
                "capacity": t.capacity,
                "capacity_label": str(CAPACITY_LABELS.get(t.capacity, t.capacity)),
                "needs_note": t.needs_note,
                "guards": list(t.guards),
                "effect": t.effect,
            }
            for t in workflow.transitions
        ],
        "required_attachments": _code_names(AttachmentKind, workflow.required_attachments),
        "approval_attachments": _code_names(AttachmentKind, workflow.approval_attachments),
    }


# --- applications ------------------------------------------------------------------------------


@router.get(
    "/applications",
    response={200: Page[ApplicationListOut], **ERRORS},
    operation_id="registration_applications_list",
)
def application_list(
    request: HttpRequest, filters: Query[ApplicationFilterIn], page: Query[PageParams]
) -> dict[str, Any]:
    """Applications in the caller's scope (their own, their region's, those they review), newest
    first. Drafts are listed only to their applicant."""
    _check_kind(filters.kind)
    _check_state(filters.state)
    qs = application_list_for(
        api_user(request),
        ApplicationFilters(
            kind=filters.kind,
            state=filters.state,
            q=filters.q.strip(),
            open_only=filters.open_only,
        ),
    )
    result = paginate(request, qs, page)
    today = timezone.localdate()
    result["results"] = [list_row_of(app, today) for app in result["results"]]
    return result


@router.post(
    "/applications",
    response={201: ApplicationDetailOut, **ERRORS},
    operation_id="registration_applications_create",
)
def application_create_endpoint(request: HttpRequest, payload: ApplicationCreateIn) -> Status[Any]:
    """Start an application: a draft the applicant fills, attaches documents to and submits."""
    user = api_user(request)
    app = application_create(
        actor=user,
        kind=payload.kind,
        org_kind=payload.org_kind,
        organization=_organization(user, payload.organization_id),
        authority_code=payload.authority_code,
        category_code=payload.category_code,
        data=payload.data,
        supervisory_department=_department(payload.supervisory_department_id),
        supervisory_consent_on=payload.supervisory_consent_on,
    )
    return Status(201, detail_of(user, application_get_for(user, app.pk)))


@router.get(
    "/applications/{int:app_id}",
    response={200: ApplicationDetailOut, **ERRORS},
    operation_id="registration_applications_detail",
)
def application_detail(request: HttpRequest, app_id: int) -> dict[str, Any]:
    """One application with its clock, the moves open to the caller, every review opinion, the
    state history and the documents; 404 for a missing id and one outside the scope alike."""
    return detail_of(api_user(request), application_get_for(api_user(request), app_id))


@router.patch(
    "/applications/{int:app_id}",
    response={200: ApplicationDetailOut, **ERRORS},
    operation_id="registration_applications_update",
)
def application_patch(request: HttpRequest, app_id: int, payload: ApplicationPatchIn) -> Any:
    """Change the content while the applicant holds the application (draft, returned, 补正).
    ``data`` is merged into the current content; a key sent as ``null`` is removed."""
    user = api_user(request)
    app = application_get_for(user, app_id)
    sent = payload.dict(exclude_unset=True)
    changes: dict[str, Any] = {}
    if "supervisory_department_id" in sent:
        changes["supervisory_department"] = _department(sent["supervisory_department_id"])
    if "supervisory_consent_on" in sent:
        changes["supervisory_consent_on"] = sent["supervisory_consent_on"]
    data = {**(app.data or {}), **(sent.get("data") or {})}
    application_update(actor=user, app=app, data=data, **changes)
    return detail_of(user, application_get_for(user, app_id))


@router.post(
    "/applications/{int:app_id}/transitions",
    response={200: ApplicationDetailOut, **ERRORS},
    operation_id="registration_applications_transition",
)
def application_transition_endpoint(
    request: HttpRequest, app_id: int, payload: TransitionIn
) -> Any:
    """Make one move of the workflow (submit, accept, approve …); an unknown move or one the
    state does not allow is a 409 ``invalid_transition``, a refused guard a 422 naming it."""
    user = api_user(request)
    app = application_get_for(user, app_id)
    application_transition(actor=user, app=app, transition=payload.transition, note=payload.note)
    return detail_of(user, application_get_for(user, app_id))


# --- attachments -------------------------------------------------------------------------------


@router.get(
    "/applications/{int:app_id}/attachments",
    response={200: list[AttachmentOut], **ERRORS},
    operation_id="registration_attachments_list",
)
def attachment_list(request: HttpRequest, app_id: int) -> list[dict[str, Any]]:
    """The application's documents (and the reviewing departments' opinion attachments)."""
    app = application_get_for(api_user(request), app_id)
    return [attachment_of(a) for a in attachments_of(app)]


@router.post(
    "/applications/{int:app_id}/attachments",
    response={201: AttachmentOut, **ERRORS},
    operation_id="registration_attachments_upload",
)
def attachment_upload(
    request: HttpRequest,
    app_id: int,
    form: Form[AttachmentIn],
    file: File[UploadedFile | None] = None,
) -> Status[Any]:
    """Upload a document (multipart: ``kind``, ``file``). PDF, PNG/JPG/GIF and .docx/.xlsx/.pptx
    only, checked by content; a reviewer attaches to an opinion with ``review_task_id``."""
    user = api_user(request)
    app = application_get_for(user, app_id)
    if not form.kind:
        raise _invalid("kind", _("请选择材料类型"))
    if file is None:
        raise _invalid("file", _("请选择要上传的文件"))
    task = _task_of(user, app, form.review_task_id) if form.review_task_id is not None else None
    attachment = attachment_add(
        actor=user, app=app, kind=form.kind, name=file.name or "", stream=file, review_task=task
    )
    return Status(201, attachment_of(attachment))


@router.get(
    "/attachments/{int:attachment_id}/download",
    response=ERRORS,
    operation_id="registration_attachments_download",
    url_name="registration_attachment_download",
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
    """The stored file, to whoever may see the application (404 to everyone else)."""
    return stored_file_download(attachment_get_for(api_user(request), attachment_id))


@router.delete(
    "/attachments/{int:attachment_id}",
    response={204: None, **ERRORS},
    operation_id="registration_attachments_delete",
)
def attachment_delete(request: HttpRequest, attachment_id: int) -> Status[Any]:
    """Remove a document one uploaded, while the application (or the opinion) is still open."""
    attachment = attachment_get_for(api_user(request), attachment_id)
    attachment_remove(actor=api_user(request), attachment=attachment)
    return Status(204, None)


# --- joint review ------------------------------------------------------------------------------


@router.get(
    "/reviews",
    response={200: Page[ReviewInboxOut], **ERRORS},
    operation_id="registration_reviews_list",
)
def review_list(
    request: HttpRequest, filters: Query[ReviewFilterIn], page: Query[PageParams]
) -> dict[str, Any]:
    """The review tasks of the caller's departments, earliest due first."""
    _check_kind(filters.kind)
    qs = review_inbox_for(
        api_user(request), pending_only=filters.pending_only, kind=filters.kind
    ).select_related("department__region", "application__organization")
    return paginate(request, qs, page, render=review_of)


@router.get(
    "/reviews/{int:task_id}",
    response={200: ReviewDetailOut, **ERRORS},
    operation_id="registration_reviews_detail",
)
def review_detail(request: HttpRequest, task_id: int) -> dict[str, Any]:
    """One task of the caller's department; the application itself is at
    ``/registration/applications/{application.id}``."""
    return review_detail_of(api_user(request), review_task_get_for(api_user(request), task_id))


@router.post(
    "/reviews/{int:task_id}/opinion",
    response={200: ReviewDetailOut, **ERRORS},
    operation_id="registration_reviews_opinion",
)
def review_opinion(request: HttpRequest, task_id: int, payload: OpinionIn) -> dict[str, Any]:
    """The department's opinion; the last one of the round moves the application on."""
    user = api_user(request)
    task = review_task_get_for(user, task_id)
    review_opinion_give(actor=user, task=task, opinion=payload.opinion, reasons=payload.reasons)
    return review_detail_of(user, review_task_get_for(user, task_id))


# --- deadlines, workflows, departments ---------------------------------------------------------


@router.get(
    "/deadlines",
    response={200: Page[DeadlineRowOut], **ERRORS},
    operation_id="registration_deadlines_list",
)
def deadline_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    """Applications whose statutory clock runs, in the caller's scope: overdue first, then the
    fewest days left; paused (补正) clocks last."""
    rows = deadline_board_for(api_user(request))
    result = paginate(request, rows, page)
    result["results"] = [
        {
            "application": summary_of(row.application),
            "accepted_on": row.application.accepted_on,
            "due_on": row.due_on,
            "days_left": row.days_left,
            "overdue": row.days_left is not None and row.days_left < 0,
            "paused": row.paused,
        }
        for row in result["results"]
    ]
    return result


@router.get(
    "/workflows",
    response={200: list[WorkflowOut], **ERRORS},
    operation_id="registration_workflows_list",
)
def workflow_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Every application kind as data: states, transitions (who makes them, which checks run),
    and the documents required before acceptance and before approval."""
    return [workflow_of(w) for w in WORKFLOWS.values()]


@router.get(
    "/departments",
    response={200: list[DepartmentOut], **ERRORS},
    operation_id="registration_departments_list",
)
def department_list(
    request: HttpRequest, filters: Query[DepartmentFilterIn]
) -> list[dict[str, Any]]:
    """Active departments whose region contains the authority (``kind=supervisory``: the units
    an applicant may name as 业务主管单位)."""
    code = filters.authority_code.strip()
    if not is_valid(code):
        raise _invalid("authority_code", _("区划代码无效"))
    if filters.kind and filters.kind not in DepartmentKind.values:
        raise _invalid("kind", _("未知的部门类型“%(kind)s”") % {"kind": filters.kind})
    return [department_of(d) for d in departments_for_authority(code, kind=filters.kind)]
