"""Joint review (联审): a department's task inbox, one task with the opinion form, and the
opinion's attachments.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from npohub.core.errors import NotFound
from npohub.core.http import attempt

from .. import services
from ..forms import (
    AttachmentForm,
    OpinionForm,
)
from ..models import AttachmentKind, ReviewTask
from ..permissions import (
    application_view,
)
from ..selectors import (
    application_attachments_of,
    application_get_for,
    review_inbox_for,
    review_task_get_for,
    review_tasks_of,
)
from ..workflows import (
    KIND_LABELS,
    WORKFLOWS,
    state_label,
)
from .attachments import _task_attachments_context
from .common import PAGE_SIZE, _htmx, _render
from .detail import _rounds, content_of

# ---------------------------------------------------------------------------------------------
# Joint review


@login_required
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    """The user's departments' tasks: to do (by due date, overdue first) and done."""
    done = request.GET.get("tab") == "done"
    kind = request.GET.get("kind", "")
    if kind not in WORKFLOWS:
        kind = ""
    tasks = review_inbox_for(request.user, pending_only=not done, kind=kind).select_related(
        "application__category"
    )
    if done:
        tasks = tasks.exclude(opinion="").order_by("-decided_at", "-id")
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for task in page.object_list:
        task.overdue = task.is_pending and task.due_on is not None and task.due_on < today
        task.kind_text = KIND_LABELS.get(task.application.kind, "")
    context: dict[str, Any] = {
        "page_obj": page,
        "done": done,
        "kind": kind,
        "kinds": list(KIND_LABELS.items()),
        "today": today,
        "tab": "reviews",
    }
    return _render(request, "registration/review_list.html", context)


def _task_or_404(request: HttpRequest, pk: int) -> ReviewTask:
    return review_task_get_for(request.user, pk)  # NotFound → 404 (core.http)


@login_required
@require_http_methods(["GET", "POST"])
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One department's task: the application, its documents, and the opinion form."""
    task = _task_or_404(request, pk)
    app = task.application
    form = OpinionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        given = attempt(
            request,
            lambda: services.review_opinion_give(
                actor=request.user,
                task=task,
                opinion=form.cleaned_data["opinion"],
                reasons=form.cleaned_data["reasons"],
            ),
            form=form,
            success=_("已提交%(department)s对 %(number)s 的意见")
            % {"department": task.department.name, "number": app.number},
        )
        if given is not None:
            return redirect("registration:review-list")
    try:
        full = application_get_for(request.user, app.pk)
    except NotFound:
        full = app
    context: dict[str, Any] = {
        "task": task,
        "app": full,
        "form": form,
        "kind_label": WORKFLOWS[full.kind].label,
        "state_text": state_label(full.state),
        "content": content_of(
            full, show_personal=application_view(request.user, full).sees_personal_data
        ),
        "rounds": _rounds(list(review_tasks_of(full)), timezone.localdate()),
        "attachments": list(application_attachments_of(full)),
        "today": timezone.localdate(),
        "tab": "reviews",
        **_task_attachments_context(request, task),
    }
    return _render(request, "registration/review_detail.html", context)


@login_required
@require_POST
def review_attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a document to the department's opinion (while the task is open)."""
    task = _task_or_404(request, pk)
    form = AttachmentForm(
        request.POST, request.FILES, kinds=[AttachmentKind.OPINION, AttachmentKind.OTHER]
    )
    if not form.is_valid():
        errors = "；".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, _("未能上传：%(errors)s") % {"errors": errors})
    else:
        upload = form.cleaned_data["file"]
        attempt(
            request,
            lambda: services.attachment_add(
                actor=request.user,
                app=task.application,
                kind=form.cleaned_data["kind"],
                name=upload.name,
                stream=upload,
                review_task=task,
            ),
            success=_("已上传“%(name)s”") % {"name": upload.name},
            refused=_("未能上传：%(reason)s"),
        )
    if _htmx(request):
        return render(
            request,
            "registration/partials/review_attachments.html",
            _task_attachments_context(request, task),
        )
    return redirect(reverse("registration:review-detail", kwargs={"pk": task.pk}))
