"""/api/v1/exports/: start an export of a list (with its filters) and follow it to its file.

The same exports as the lists' 导出 buttons (core.exports): the list's own scoped selector and
filters, one audit event each. Small exports are written before the answer (state ``done``),
large ones in the background (poll ``GET /exports/{id}``). Only the owner sees a job or its
file; anyone else gets 404.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Status

from npohub.core.errors import NotFound
from npohub.core.export_jobs import (
    export_file_for,
    export_job_get_for,
    export_job_list_for,
    export_jobs_sweep,
    export_start,
)
from npohub.core.exports import CONTENT_TYPES, all_definitions
from npohub.core.models import ExportJob, ExportState

from ..imports.schemas import ErrorOut
from ..request import api_user
from .schemas import ExportIn, ExportJobOut, ExportListOut

router = Router(tags=["exports"])

ERRORS: dict[int, Any] = dict.fromkeys((401, 403, 404, 409, 422), ErrorOut)


def _out(job: ExportJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "definition": job.definition,
        "title": job.title,
        "format": job.format,
        "filters": job.filters or {},
        "state": job.state,
        "state_label": job.get_state_display(),
        "total_rows": job.total_rows,
        "processed_rows": job.processed_rows,
        "percent": job.percent,
        "message": job.message,
        "download_url": reverse("api:download_export", args=[job.pk])
        if job.state == ExportState.DONE
        else None,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "expires_at": job.expires_at,
    }


@router.get("/lists", response={200: list[ExportListOut], **ERRORS}, operation_id="export_lists")
def export_lists(request: HttpRequest) -> list[dict[str, str]]:
    """The lists you may export."""
    user = api_user(request)
    return [
        {"key": key, "title": str(d.title)}
        for key, d in sorted(all_definitions().items())
        if d.may_export(user)
    ]


@router.post("/", response={201: ExportJobOut, **ERRORS}, operation_id="create_export")
def create_export(request: HttpRequest, data: ExportIn) -> Status[Any]:
    """Export a list under its filters. Refused: an unknown list or one you may not open
    (404), a bad format or bad filters (422, ``export.bad_filters``, naming the fields)."""
    started = export_start(
        actor=api_user(request),
        key=data.definition,
        query=data.filters,
        fmt=data.format,
        answer_now=False,
    )
    return Status(201, _out(started.job))


@router.get("/", response={200: list[ExportJobOut], **ERRORS}, operation_id="list_exports")
def list_exports(request: HttpRequest) -> list[dict[str, Any]]:
    """Your exports, newest first (the latest 100)."""
    export_jobs_sweep()
    return [_out(job) for job in export_job_list_for(api_user(request))[:100]]


@router.get("/{job_id}", response={200: ExportJobOut, **ERRORS}, operation_id="get_export")
def get_export(request: HttpRequest, job_id: int) -> dict[str, Any]:
    """State and progress of one of your exports."""
    export_jobs_sweep(job_ids=[job_id])
    return _out(export_job_get_for(api_user(request), job_id))


@router.get(
    "/{job_id}/file",
    response={200: None, **ERRORS},
    operation_id="download_export",
    url_name="download_export",
)
def download_export(request: HttpRequest, job_id: int) -> FileResponse:
    """The finished file (yours only, until it expires)."""
    job = export_file_for(api_user(request), job_id)
    try:
        handle = job.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise NotFound(_("导出文件不存在或已过期")) from exc
    response = FileResponse(
        handle, as_attachment=True, filename=job.filename, content_type=CONTENT_TYPES[job.format]
    )
    response["Cache-Control"] = "private, no-store"
    return response
