"""Export pages: start an export from a list's 导出 button, "我的导出", one job, its file."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .errors import DomainError, NotFound
from .export_jobs import (
    export_file_for,
    export_job_get_for,
    export_job_list_for,
    export_jobs_sweep,
    export_start,
)
from .exports import CONTENT_TYPES, all_definitions, as_query

PAGE_SIZE = 25


def _back(request: HttpRequest, key: str) -> str:
    """Where a refused export returns: the list page it came from."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return str(referer)
    definition = all_definitions().get(key)
    try:
        return reverse(definition.list_url) if definition and definition.list_url else "/"
    except NoReverseMatch:
        return "/"


def _download(handle: Any, filename: str, fmt: str) -> FileResponse:
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[fmt]
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def export_begin(request: HttpRequest, key: str) -> HttpResponseBase:
    """The list's 导出 button: the file at once when small, else a background job's page."""
    try:
        started = export_start(
            actor=request.user,
            key=key,
            query=request.POST,
            fmt=request.POST.get("format", "xlsx"),
        )
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_back(request, key))
    job = started.job
    if started.handle is not None:
        return _download(started.handle, job.filename, job.format)
    messages.info(
        request,
        _("共 %(rows)s 行，正在后台生成，完成后可在“我的导出”下载。")
        % {"rows": f"{job.total_rows:,}"},
    )
    return redirect("exports:detail", pk=job.pk)


@login_required
@require_GET
def export_list(request: HttpRequest) -> HttpResponse:
    """我的导出: the user's own exports, newest first, with their files while kept."""
    export_jobs_sweep()
    page = Paginator(export_job_list_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/exportjob_list.html", {"page_obj": page})


@login_required
@require_GET
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One export: a progress bar that polls itself (htmx) while the file is written."""
    export_jobs_sweep(job_ids=[pk])
    job = export_job_get_for(request.user, pk)
    definition = all_definitions().get(job.definition)
    context = {
        "job": job,
        "filters": as_query(job.filters).urlencode(),
        "list_url": definition.list_url if definition else "",
    }
    if getattr(request, "htmx", False):
        return render(request, "core/partials/exportjob_status.html", context)
    return render(request, "core/exportjob_detail.html", context)


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    """The file, to its owner only, until it expires (404 for anyone else, as if missing)."""
    job = export_file_for(request.user, pk)
    try:
        handle = job.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise NotFound(_("导出文件不存在或已过期")) from exc
    return _download(handle, job.filename, job.format)
