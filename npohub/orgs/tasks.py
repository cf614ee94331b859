"""Background entry points for the registry. Tasks take IDs, re-fetch, and call a service.

Each task hands its own task id to the service, which records it on the job with the
process running it: the sweep in import_jobs.py reads both to tell a dead job from a live one.
"""

from __future__ import annotations

from django_tasks import TaskContext, task

from .imports import import_commit, import_validate
from .models import ImportJob, ImportStatus


@task(takes_context=True)
def validate_import_task(context: TaskContext, job_id: int) -> None:
    """Validate an uploaded import; a job already validated (or gone) is left alone."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.status not in (ImportStatus.PENDING, ImportStatus.VALIDATING):
        return
    import_validate(job=job, task_id=str(context.task_result.id))


@task(takes_context=True)
def commit_import_task(context: TaskContext, job_id: int) -> None:
    """Commit a confirmed import; only a job waiting in "committing" is written."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.status != ImportStatus.COMMITTING:
        return
    import_commit(actor=job.created_by, job=job, task_id=str(context.task_result.id))
