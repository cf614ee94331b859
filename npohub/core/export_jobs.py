"""Export jobs: start an export of a list, run a large one in the background, download, sweep.

- :func:`export_start` reads the list's filters (refusing bad ones with a message naming the
  field), counts the rows the user's list holds under them, and either answers at once (up to
  ``NPOHUB_EXPORT_INLINE_ROWS`` rows: the file comes back with the response, nothing is kept) or
  queues a background task (``core.tasks.run_export_task``) that writes the file, reporting
  progress and a heartbeat every thousand rows. Either way one ``ExportJob`` row and one audit
  event record who exported which list with which filters, in which format, how many rows.
- Files are kept ``NPOHUB_EXPORT_KEEP_HOURS`` hours for their owner alone
  (:func:`export_job_get_for` answers NotFound to anyone else), then :func:`export_jobs_sweep`
  deletes them. The sweep also fails a running export whose process died (the same test as
  the registry imports, ``core.workers``). It runs when "我的导出" or a job is read, when a
  ``db_worker`` starts, and from ``manage.py sweep_exports``.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.db import DEFAULT_DB_ALIAS, DatabaseError, transaction
from django.db.backends.signals import connection_created
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit_record
from .errors import NotFound, ValidationFailed
from .exports import (
    FORMATS,
    WRITERS,
    ExportDefinition,
    as_query,
    clean_query,
    count_of,
    definition_for,
    filename_for,
    header_of,
    rows_of,
)
from .models import ExportJob, ExportState
from .workers import current_process, fail_task, process_alive, task_statuses

logger = logging.getLogger(__name__)

LOST_EXCEPTION = "npohub.core.export_jobs.ExportProcessLost"
RUNNING = (ExportState.QUEUED, ExportState.RUNNING)


class ExportProcessLost(Exception):
    """Recorded as the exception of a background export whose process died."""


def inline_limit() -> int:
    return int(getattr(settings, "NPOHUB_EXPORT_INLINE_ROWS", 5000))


def keep_for() -> dt.timedelta:
    return dt.timedelta(hours=int(getattr(settings, "NPOHUB_EXPORT_KEEP_HOURS", 72)))


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "NPOHUB_EXPORT_LEASE_SECONDS", 300)))


@dataclass
class Started:
    """An export begun: its job, and the file itself when it was answered at once (rewound)."""

    job: ExportJob
    handle: IO[bytes] | None = None


def _format(fmt: str) -> str:
    fmt = (fmt or "xlsx").lower()
    if fmt not in FORMATS:
        raise ValidationFailed(
            _("导出格式无效：只能是 Excel（xlsx）或 CSV"), details={"format": _("无效")}
        )
    return fmt


def _filters_of(definition: ExportDefinition, stored: Mapping[str, Sequence[str]]) -> Any:
    return definition.filters(as_query(stored))


def _audit(actor: Any, job: ExportJob, kind: str) -> None:
    audit_record(
        actor=actor,
        kind=kind,
        target=job,
        payload={
            "definition": job.definition,
            "title": job.title,
            "filters": job.filters,
            "format": job.format,
            "rows": job.total_rows,
        },
        region_code=getattr(getattr(actor, "region", None), "code", "") or "",
    )


def export_start(
    *, actor: Any, key: str, query: Mapping[str, Any], fmt: str = "xlsx", answer_now: bool = True
) -> Started:
    """Begin exporting list ``key`` under the filters in ``query`` for ``actor``.

    Small exports are written at once: with ``answer_now`` the file is returned and not kept
    (the page's download), without it (the API) it is kept as a finished job. Large ones are
    queued. Refused: an unknown list or one the user may not open (NotFound), a bad format or
    bad filters (``export.bad_filters``, naming the fields)."""
    definition = definition_for(actor, key)
    fmt = _format(fmt)
    stored = clean_query(query)
    filters = _filters_of(definition, stored)
    records = definition.records(actor, filters)
    total = count_of(records)
    title = str(definition.title)
    now = timezone.now()
    base = {
        "owner": actor,
        "definition": key,
        "title": title[:100],
        "filters": stored,
        "format": fmt,
        "total_rows": total,
        "filename": filename_for(title, fmt, now),
    }
    if total <= inline_limit() and answer_now:
        handle = tempfile.TemporaryFile()  # noqa: SIM115 - returned open for the response
        header = header_of(definition, filters)
        written = WRITERS[fmt](handle, title, header, rows_of(definition, actor, filters, records))
        handle.seek(0)
        with transaction.atomic():
            job = ExportJob.objects.create(
                **{**base, "total_rows": written},
                state=ExportState.SENT,
                processed_rows=written,
                finished_at=timezone.now(),
            )
            _audit(actor, job, "core.export")
        return Started(job, handle)
    with transaction.atomic():
        job = ExportJob.objects.create(**base, state=ExportState.QUEUED)
        _audit(actor, job, "core.export")
    if total <= inline_limit():
        return Started(export_run(job=job))
    _enqueue(job)
    return Started(job)


def _enqueue(job: ExportJob) -> None:
    from .tasks import run_export_task

    def send() -> None:
        result = run_export_task.enqueue(job.pk)
        ExportJob.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])

    transaction.on_commit(send)


def _beat(job: ExportJob, processed: int) -> None:
    """Progress and heartbeat, outside any transaction (the page polls them)."""
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk, state=ExportState.RUNNING).update(
        processed_rows=processed, heartbeat_at=now
    )


def export_run(*, job: ExportJob, task_id: str = "") -> ExportJob:
    """Write a queued export's file (the background task's work); a job not queued is left."""
    claim: dict[str, Any] = {
        "state": ExportState.RUNNING,
        "worker": current_process(),
        "heartbeat_at": timezone.now(),
    }
    if task_id:
        claim["task_id"] = task_id[:64]
    if not ExportJob.objects.filter(pk=job.pk, state=ExportState.QUEUED).update(**claim):
        job.refresh_from_db()
        return job
    job.refresh_from_db()
    owner = job.owner
    try:
        definition = definition_for(owner, job.definition)
        filters = _filters_of(definition, job.filters)
        records = definition.records(owner, filters)
        header = header_of(definition, filters)
        with tempfile.TemporaryFile() as handle:
            written = WRITERS[job.format](
                handle,
                job.title,
                header,
                rows_of(definition, owner, filters, records),
                lambda n: _beat(job, n),
            )
            handle.seek(0)
            job.file.save(job.filename, File(handle, name=job.filename), save=False)
    except Exception as exc:  # the job says it failed; the task records the traceback
        message = getattr(exc, "message", "") or _("导出失败，请稍后重试")
        ExportJob.objects.filter(pk=job.pk, state=ExportState.RUNNING).update(
            state=ExportState.FAILED, message=str(message)[:500], finished_at=timezone.now()
        )
        if not isinstance(exc, NotFound | ValidationFailed):
            raise
        job.refresh_from_db()
        return job
    now = timezone.now()
    updated = ExportJob.objects.filter(pk=job.pk, state=ExportState.RUNNING).update(
        state=ExportState.DONE,
        file=job.file.name,
        processed_rows=written,
        total_rows=written,
        finished_at=now,
        expires_at=now + keep_for(),
        heartbeat_at=now,
    )
    if not updated:  # marked lost meanwhile: the file is not handed out
        job.file.delete(save=False)
    job.refresh_from_db()
    return job


# --- Reading ---------------------------------------------------------------------------------


def export_job_list_for(user: Any) -> QuerySet[ExportJob]:
    """The user's own exports, newest first (nobody sees another's)."""
    if not getattr(user, "is_authenticated", False):
        return ExportJob.objects.none()
    return ExportJob.objects.filter(owner=user).order_by("-created_at", "-id")


def export_job_get_for(user: Any, pk: int) -> ExportJob:
    job = export_job_list_for(user).filter(pk=pk).first()
    if job is None:
        raise NotFound(_("导出任务不存在"))
    return job


def export_file_for(user: Any, pk: int) -> ExportJob:
    """A finished, unexpired export of the user's own with its file; NotFound otherwise."""
    job = export_job_get_for(user, pk)
    if job.state != ExportState.DONE or not job.file:
        raise NotFound(_("导出文件不存在或已过期"))
    if job.expires_at is not None and job.expires_at <= timezone.now():
        raise NotFound(_("导出文件不存在或已过期"))
    return job


# --- The sweep ---------------------------------------------------------------------------------


def _is_lost(job: ExportJob, task_status: str | None, now: dt.datetime) -> bool:
    if task_status in ("FAILED", "SUCCESSFUL"):
        return True
    alive = process_alive(job.worker) if job.worker else None
    if alive is not None:
        return not alive
    if not job.worker and task_status == "READY":
        return False  # queued, waiting for a worker
    return (job.heartbeat_at or job.created_at) < now - lease()


def export_jobs_sweep(*, job_ids: Sequence[int] | None = None) -> dict[str, int]:
    """Fail running exports whose process died; delete expired files. Counts of each."""
    now = timezone.now()
    running = ExportJob.objects.filter(state__in=RUNNING)
    if job_ids is not None:
        running = running.filter(pk__in=list(job_ids))
    candidates = list(running)
    statuses = task_statuses({j.task_id for j in candidates if j.task_id}) if candidates else {}
    lost = 0
    message = _("导出进程意外中止（进程被终止或服务器重启），请重新导出。")
    for job in candidates:
        if not _is_lost(job, statuses.get(job.task_id), now):
            continue
        if ExportJob.objects.filter(
            pk=job.pk, state=job.state, heartbeat_at=job.heartbeat_at
        ).update(state=ExportState.FAILED, message=message, finished_at=now):
            lost += 1
            fail_task(job.task_id, message, now, LOST_EXCEPTION)
    expired = 0
    for job in ExportJob.objects.filter(state=ExportState.DONE, expires_at__lte=now):
        if job.file:
            job.file.delete(save=False)
        expired += ExportJob.objects.filter(pk=job.pk, state=ExportState.DONE).update(
            state=ExportState.EXPIRED, file=""
        )
    return {"lost": lost, "expired": expired}


def _sweep_at_worker_start(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.alias != DEFAULT_DB_ALIAS:
        return
    connection_created.disconnect(dispatch_uid=__name__)
    try:
        counts = export_jobs_sweep()
    except DatabaseError:  # never keep the worker from starting
        logger.exception("export sweep at worker start failed")
        return
    if any(counts.values()):
        logger.warning("exports swept at worker start: %s", counts)


def sweep_when_worker_starts(argv: Sequence[str] | None = None) -> bool:
    """In a ``manage.py db_worker`` process, sweep once its first connection opens."""
    argv = sys.argv if argv is None else argv
    if len(argv) < 2 or argv[1] != "db_worker":
        return False
    connection_created.connect(_sweep_at_worker_start, dispatch_uid=__name__, weak=False)
    return True
