"""/api/v1/imports/: upload a spreadsheet, follow its validation, read its errors, commit it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Status, UploadedFile

from npohub.orgs.import_jobs import import_jobs_sweep
from npohub.orgs.imports import (
    import_commit_request,
    import_job_get_for,
    import_retry,
    import_start,
)
from npohub.orgs.models import ImportJob

from ..pagination import Page, PageParams, paginate
from ..request import api_user
from .schemas import ErrorOut, ImportErrorOut, ImportJobOut, ImportKindIn

router = Router(tags=["imports"])

ERRORS: dict[int, Any] = dict.fromkeys((401, 403, 404, 409, 422), ErrorOut)


def _out(job: ImportJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "kind": job.kind,
        "filename": job.filename,
        "status": job.status,
        "status_label": job.get_status_display(),
        "total_rows": job.total_rows,
        "processed_rows": job.processed_rows,
        "error_count": job.error_count,
        "counts": job.summary or {},
        "message": job.message,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


@router.post(
    "/", response={201: ImportJobOut, 413: ErrorOut, **ERRORS}, operation_id="create_import"
)
def create_import(
    request: HttpRequest, data: Form[ImportKindIn], file: File[UploadedFile]
) -> Status[Any]:
    """Upload a file (multipart: file, kind); small files are validated before the answer.

    Refused before it is stored: over the upload size limit (413, ``import.file_too_large``),
    decompressing past the limits (``import.decompressed_too_large``), more rows or columns
    than allowed (``import.too_many_rows``, ``import.too_many_columns``), or unreadable
    (``import.unreadable``), all 422 but the first."""
    job = import_start(actor=api_user(request), kind=data.kind, upload=file)
    return Status(201, _out(job))


@router.get("/{job_id}", response={200: ImportJobOut, **ERRORS}, operation_id="get_import")
def get_import(request: HttpRequest, job_id: int) -> dict[str, Any]:
    """Status, progress and counts of one of your import jobs (a job whose process died is
    reported failed, with a message; retry it with ``POST …/retry``)."""
    import_jobs_sweep(job_ids=[job_id])
    return _out(import_job_get_for(api_user(request), job_id))


@router.get(
    "/{job_id}/errors",
    response={200: Page[ImportErrorOut], **ERRORS},
    operation_id="list_import_errors",
)
def list_import_errors(
    request: HttpRequest, job_id: int, params: Query[PageParams]
) -> dict[str, Any]:
    """Every problem found, by row and column, in pages."""
    job = import_job_get_for(api_user(request), job_id)
    return paginate(request, list(job.errors or []), params)


@router.post(
    "/{job_id}/commit", response={200: ImportJobOut, **ERRORS}, operation_id="commit_import"
)
def commit_import(request: HttpRequest, job_id: int) -> dict[str, Any]:
    """Write a validated job (all rows or none); large jobs continue in the background."""
    job = import_commit_request(
        actor=api_user(request), job=import_job_get_for(api_user(request), job_id)
    )
    return _out(job)


@router.post("/{job_id}/retry", response={200: ImportJobOut, **ERRORS}, operation_id="retry_import")
def retry_import(request: HttpRequest, job_id: int) -> dict[str, Any]:
    """Run a failed job again: its commit when writing failed (nothing had been written), else
    its validation; 409 (``import.not_retryable``) unless the job failed."""
    job = import_retry(actor=api_user(request), job=import_job_get_for(api_user(request), job_id))
    return _out(job)
