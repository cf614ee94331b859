"""Import jobs whose process died (issue 20, finding 3): who runs a job, and the sweep.

A job in "validating" or "committing" names the process running it (``ImportJob.worker``:
boot id, pid namespace, pid and start time on Linux) and carries a heartbeat
(``heartbeat_at``, renewed every few thousand rows while the file is read). The write itself is
one transaction, all or nothing: the job row is locked for its whole length, so a crash there
rolls every row back and a second commit cannot start meanwhile.

:func:`import_jobs_sweep` marks a running job failed, with a message saying what happened and
that nothing was written, when

* its process is on this machine and no longer exists (found at once), or
* its process is elsewhere or unknown and its heartbeat is older than
  ``NPOHUB_IMPORT_LEASE_SECONDS`` (a job whose row is locked is being written: left alone), or
* its background task row says the task is no longer running;

and marks the django-tasks database row of a lost task failed too. It runs when a
``db_worker`` starts (first database connection), when a job page or API job is read, and
before a commit or retry, so a retry never answers "already running" for a dead job.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.core.audit import audit_record
from npohub.core.workers import current_process, fail_task, process_alive, task_statuses

from .models import ImportJob, ImportStatus

logger = logging.getLogger(__name__)

RUNNING_STATUSES = (ImportStatus.VALIDATING, ImportStatus.COMMITTING)
IMPORT_TASKS = (
    "npohub.orgs.tasks.validate_import_task",
    "npohub.orgs.tasks.commit_import_task",
)
LOST_EXCEPTION = "npohub.orgs.import_jobs.ImportProcessLost"


class ImportProcessLost(Exception):
    """Recorded as the exception of a background task whose process died."""


__all__ = ["current_process", "import_jobs_sweep", "process_alive"]


# Which process runs a job: npohub.core.workers (shared with list exports).


# --- The sweep ---------------------------------------------------------------------------------


def lost_message(status: str) -> str:
    if status == ImportStatus.COMMITTING:
        return _(
            "导入进程意外中止（进程被终止或服务器重启），本次导入未写入任何数据。"
            "请点击“重试”重新导入。"
        )
    return _("校验进程意外中止（进程被终止或服务器重启）。请点击“重试”重新校验。")


def _task_statuses(task_ids: set[str]) -> dict[str, str]:
    return task_statuses(task_ids)


def _is_lost(job: ImportJob, task_status: str | None, now: dt.datetime) -> bool:
    if task_status in ("FAILED", "SUCCESSFUL"):
        return True  # the task is over, the job never heard of it
    alive = process_alive(job.worker) if job.worker else None
    if alive is not None:
        return not alive
    if not job.worker and task_status == "READY":
        return False  # queued, waiting for a worker
    lease = dt.timedelta(seconds=settings.NPOHUB_IMPORT_LEASE_SECONDS)
    return (job.heartbeat_at or job.created_at) < now - lease


def _fail_task(task_id: str, message: str, now: dt.datetime) -> None:
    fail_task(task_id, message, now, LOST_EXCEPTION)


def _mark_lost(job: ImportJob, now: dt.datetime) -> bool:
    """Fail the job if it is still exactly as judged; a row locked by its writer is skipped."""
    with transaction.atomic():
        locked = (
            ImportJob.objects.select_for_update(skip_locked=True)
            .filter(pk=job.pk, status=job.status, worker=job.worker, heartbeat_at=job.heartbeat_at)
            .first()
        )
        if locked is None:
            return False
        message = lost_message(job.status)
        locked.status = ImportStatus.FAILED
        locked.message = message
        locked.finished_at = now
        locked.save(update_fields=["status", "message", "finished_at"])
        audit_record(
            actor=None,
            kind="orgs.import_job_lost",
            target=locked,
            payload={
                "status": job.status,
                "worker": job.worker,
                "heartbeat_at": job.heartbeat_at.isoformat() if job.heartbeat_at else None,
                "task_id": job.task_id,
            },
        )
        _fail_task(job.task_id, message, now)
    return True


def import_jobs_sweep(*, job_ids: Sequence[int] | None = None) -> list[int]:
    """Mark running import jobs whose process died as failed (all of them, or those given);
    the ids of the jobs marked."""
    jobs = ImportJob.objects.filter(status__in=RUNNING_STATUSES)
    if job_ids is not None:
        jobs = jobs.filter(pk__in=list(job_ids))
    candidates = list(
        jobs.only("pk", "status", "worker", "heartbeat_at", "created_at", "task_id", "filename")
    )
    if not candidates:
        return []
    statuses = _task_statuses({j.task_id for j in candidates if j.task_id})
    now = timezone.now()
    return [
        job.pk
        for job in candidates
        if _is_lost(job, statuses.get(job.task_id), now) and _mark_lost(job, now)
    ]


def fail_orphan_tasks() -> int:
    """Background import tasks still "running" for jobs already failed as lost (the web swept
    them first): marked failed too. The number of task rows changed."""
    from django_tasks_db.models import DBTaskResult

    running = DBTaskResult.objects.filter(status="RUNNING", task_path__in=IMPORT_TASKS)
    orphans = []
    for pk, args_kwargs in running.values_list("pk", "args_kwargs"):
        args = (args_kwargs or {}).get("args") or []
        if args and isinstance(args[0], int):
            orphans.append((str(pk), args[0]))
    if not orphans:
        return 0
    failed = dict(
        ImportJob.objects.filter(
            pk__in=[job_id for _task, job_id in orphans], status=ImportStatus.FAILED
        ).values_list("pk", "message")
    )
    now = timezone.now()
    changed = 0
    for task_id, job_id in orphans:
        if job_id in failed:
            changed += DBTaskResult.objects.filter(pk=task_id, status="RUNNING").update(
                status="FAILED",
                finished_at=now,
                return_value=None,
                exception_class_path=LOST_EXCEPTION,
                traceback=failed[job_id],
            )
    return changed


def _sweep_at_worker_start(
    sender: type[BaseDatabaseWrapper], connection: BaseDatabaseWrapper, **kwargs: Any
) -> None:
    if connection.alias != DEFAULT_DB_ALIAS:
        return
    connection_created.disconnect(dispatch_uid=__name__)
    try:
        lost = import_jobs_sweep()
        orphans = fail_orphan_tasks()
    except DatabaseError:  # never keep the worker from starting
        logger.exception("import job sweep at worker start failed")
        return
    if lost or orphans:
        logger.warning("import jobs marked lost at worker start: %s (tasks: %s)", lost, orphans)


def sweep_when_worker_starts(argv: Sequence[str] | None = None) -> bool:
    """In a ``manage.py db_worker`` process, sweep once its first database connection opens
    (before it claims a task). Called from ``OrgsConfig.ready``."""
    argv = sys.argv if argv is None else argv
    if len(argv) < 2 or argv[1] != "db_worker":
        return False
    connection_created.connect(_sweep_at_worker_start, dispatch_uid=__name__, weak=False)
    return True
