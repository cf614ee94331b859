"""Background entry points for the registry. Tasks take IDs, re-fetch, and call a service."""

from __future__ import annotations

from django_tasks import task

from .imports import import_commit, import_validate
from .models import ImportJob, ImportStatus


@task()
def validate_import_task(job_id: int) -> None:
    """Validate an uploaded import; a job already validated (or gone) is left alone."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.status not in (ImportStatus.PENDING, ImportStatus.VALIDATING):
        return
    import_validate(job=job)


@task()
def commit_import_task(job_id: int) -> None:
    """Commit a confirmed import; only a job waiting in "committing" is written."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.status != ImportStatus.COMMITTING:
        return
    import_commit(actor=job.created_by, job=job)
