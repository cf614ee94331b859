"""Documents of an application and of a review task's opinion: upload, download, delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from npohub.core.http import attempt, stored_file_download

from .. import services
from ..forms import (
    AttachmentForm,
)
from ..models import Application, AttachmentKind, ReviewTask
from ..permissions import (
    application_view,
    capacities_of,
)
from ..selectors import (
    application_attachments_of,
    attachment_get_for,
)
from ..workflows import (
    APPLICANT_EDITABLE,
    WORKFLOWS,
    S,
)
from .common import _htmx, _visible


def _attachments_context(request: HttpRequest, app: Application, held: set[str]) -> dict[str, Any]:
    attachments = list(application_attachments_of(app))
    have = {a.kind for a in attachments}
    workflow = WORKFLOWS[app.kind]
    required = [
        {"label": AttachmentKind(k).label, "done": k in have}
        for k in (*workflow.required_attachments, *workflow.approval_attachments)
    ]
    if not app.is_direct and app.kind not in ("filing", "name_approval", "revocation"):
        required.append(
            {
                "label": AttachmentKind.SUPERVISORY_CONSENT.label,
                "done": AttachmentKind.SUPERVISORY_CONSENT in have,
            }
        )
    editable = app.state in APPLICANT_EDITABLE
    for a in attachments:
        shown: Any = a  # decorated for the template
        shown.deletable = a.uploaded_by_id == request.user.pk and editable
    return {
        "app": app,
        "attachments": attachments,
        "required": required,
        "may_upload": application_view(request.user, app).may_upload,
        "upload_form": AttachmentForm(
            kinds=[k for k in AttachmentKind.values if k != AttachmentKind.OPINION]
        ),
    }


def _task_open(task: ReviewTask) -> bool:
    app = task.application
    return task.is_pending and task.round == app.review_round and app.state == S.IN_REVIEW


def _task_attachments_context(request: HttpRequest, task: ReviewTask) -> dict[str, Any]:
    open_ = _task_open(task)
    attachments = list(task.attachments.select_related("uploaded_by"))
    for a in attachments:
        shown: Any = a  # decorated for the template
        shown.deletable = open_ and a.uploaded_by_id == request.user.pk
    return {
        "task": task,
        "task_attachments": attachments,
        "task_open": open_,
        "task_upload_form": AttachmentForm(kinds=[AttachmentKind.OPINION, AttachmentKind.OTHER]),
    }


def _attachments_response(request: HttpRequest, app: Application) -> HttpResponse:
    if _htmx(request):
        held, _behalf = capacities_of(request.user, app)
        context = _attachments_context(request, app, held)
        return render(request, "registration/partials/application_attachments.html", context)
    return redirect("registration:application-detail", pk=app.pk)


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a document to the application (type sniffed from the content by the service)."""
    app = _visible(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = "；".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, _("未能上传：%(errors)s") % {"errors": errors})
        return _attachments_response(request, app)
    upload = form.cleaned_data["file"]
    attachment = attempt(
        request,
        lambda: services.attachment_add(
            actor=request.user,
            app=app,
            kind=form.cleaned_data["kind"],
            name=upload.name,
            stream=upload,
        ),
        refused=_("未能上传：%(reason)s"),
    )
    if attachment is not None:
        messages.success(request, _("已上传“%(name)s”") % {"name": attachment.original_name})
    return _attachments_response(request, app)


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """The stored file, always as a download (never shown inline, never sniffed)."""
    attachment = attachment_get_for(request.user, pk)
    return stored_file_download(attachment)


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove one's own upload while the application (or the opinion) is still open."""
    attachment = attachment_get_for(request.user, pk)
    app = attachment.application
    task = attachment.review_task
    name = attachment.original_name
    attempt(
        request,
        lambda: services.attachment_remove(actor=request.user, attachment=attachment),
        success=_("已删除“%(name)s”") % {"name": name},
        refused=_("未能删除：%(reason)s"),
    )
    if task is not None:
        if _htmx(request):
            return render(
                request,
                "registration/partials/review_attachments.html",
                _task_attachments_context(request, task),
            )
        return redirect("registration:review-detail", pk=task.pk)
    return _attachments_response(request, app)
