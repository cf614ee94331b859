"""Staff pages of the Excel import (home, job progress/preview/result) and list exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from npohub.core.errors import DomainError, NotFound
from npohub.core.export_jobs import export_start
from npohub.core.exports import CONTENT_TYPES

from . import exports
from .import_jobs import import_jobs_sweep
from .imports import (
    IMPORT_KINDS,
    import_commit_request,
    import_job_get_for,
    import_job_list_for,
    import_kind_for,
    import_retry,
    import_start,
)
from .models import ImportJob, ImportStatus
from .permissions import can_import, can_list_organizations

ERRORS_PER_PAGE = 100
RUNNING = (ImportStatus.PENDING, ImportStatus.VALIDATING, ImportStatus.COMMITTING)


def _job_for(request: HttpRequest, pk: int) -> ImportJob:
    try:
        return import_job_get_for(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _allowed_kinds(user: object) -> list[tuple[str, str]]:
    return [
        (k, label) for k, label in IMPORT_KINDS.items() if can_import(user, kind=import_kind_for(k))
    ]


@login_required
@require_GET
def import_home(request: HttpRequest) -> HttpResponse:
    kinds = _allowed_kinds(request.user)
    if not kinds:
        raise Http404
    context = {"kinds": kinds, "jobs": import_job_list_for(request.user)}
    return render(request, "orgs/imports/import_home.html", context)


@login_required
@require_GET
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in IMPORT_KINDS:
        raise Http404
    response = HttpResponse(exports.template_workbook(kind), content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = _attachment(exports.template_filename(kind))
    return response


@login_required
@require_POST
def import_upload(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要上传的文件"))
        return redirect("imports:home")
    try:
        job = import_start(actor=request.user, kind=request.POST.get("kind", ""), upload=upload)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("imports:home")
    return redirect("imports:job", pk=job.pk)


@login_required
@require_GET
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    import_jobs_sweep(job_ids=[pk])  # a job whose process died shows as failed, with a retry
    job = _job_for(request, pk)
    errors = Paginator(job.errors or [], ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"job": job, "errors": errors, "running": job.status in RUNNING}
    if request.htmx:
        return render(request, "orgs/imports/partials/job_status.html", context)
    return render(request, "orgs/imports/import_job.html", context)


@login_required
@require_POST
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    try:
        job = import_commit_request(actor=request.user, job=job)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if job.status == ImportStatus.DONE:
            messages.success(request, _("导入完成"))
        elif job.status == ImportStatus.FAILED:
            messages.error(request, job.message or _("导入失败，未写入任何数据"))
    return redirect("imports:job", pk=job.pk)


@login_required
@require_POST
def import_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    try:
        job = import_retry(actor=request.user, job=job)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if job.status == ImportStatus.DONE:
            messages.success(request, _("导入完成"))
        elif job.status == ImportStatus.FAILED:
            messages.error(request, job.message or _("导入失败，未写入任何数据"))
    return redirect("imports:job", pk=job.pk)


@login_required
@require_GET
def organization_export(request: HttpRequest) -> HttpResponse:
    """The organisation list under the list page's filters, as .xlsx or CSV (?format=csv): the
    older address of the list's 导出 button, now the one export mechanism (core.export_jobs):
    audited, a large list written in the background (its progress page), bad filters refused
    with a message on the list."""
    if not can_list_organizations(request.user):
        raise Http404
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    try:
        started = export_start(
            actor=request.user, key="orgs.organizations", query=request.GET, fmt=fmt
        )
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('orgs:organization-list')}?{request.GET.urlencode()}")
    job = started.job
    if started.handle is None:
        return redirect("exports:detail", pk=job.pk)
    return FileResponse(
        started.handle,
        as_attachment=True,
        filename=job.filename,
        content_type=CONTENT_TYPES[job.format],
    )


def _attachment(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"export.{filename.rsplit('.', 1)[-1]}\"; filename*=UTF-8''{quote(filename)}"
