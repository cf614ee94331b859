"""Background entry points of the shared kernel: list exports (core.export_jobs)."""

from __future__ import annotations

from django_tasks import TaskContext, task

from .models import ExportJob, ExportState


@task(takes_context=True)
def run_export_task(context: TaskContext, job_id: int) -> None:
    """Write a queued export's file; a job no longer queued (or gone) is left alone."""
    from .export_jobs import export_run

    job = ExportJob.objects.select_related("owner").filter(pk=job_id).first()
    if job is None or job.state != ExportState.QUEUED:
        return
    export_run(job=job, task_id=str(context.task_result.id))
