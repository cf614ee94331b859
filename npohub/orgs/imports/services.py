"""The import job's life as services: start (store and validate), validate, commit request,
retry, commit (one transaction, or nothing); inline when small, else as background tasks.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks.base import Task

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import Conflict, NotFound, ValidationFailed
from npohub.core.permissions import require

from ..import_files import Limits, check_upload_size, count_rows
from ..import_jobs import RUNNING_STATUSES, current_process, import_jobs_sweep
from ..models import (
    ImportJob,
    ImportStatus,
)
from ..permissions import can_import
from .columns import ALLOWED_EXTENSIONS, IMPORT_KINDS, import_kind_for
from .plan import _lookups_changed, _redecide, import_plan
from .rows import ImportPlan
from .writing import _write


def import_job_get_for(user: User, pk: int) -> ImportJob:
    """One import job of the user (superusers see all), or NotFound."""
    job = ImportJob.objects.select_related("created_by").filter(pk=pk).first()
    if job is None or not (
        getattr(user, "is_superuser", False) or job.created_by_id == getattr(user, "pk", None)
    ):
        raise NotFound(_("导入任务不存在"))
    return job


def import_job_list_for(user: User, *, limit: int = 20) -> list[ImportJob]:
    """The user's most recent import jobs."""
    return list(
        ImportJob.objects.filter(created_by_id=user.pk).order_by("-created_at", "-id")[:limit]
    )


def _runs_in_background(job: ImportJob) -> bool:
    return job.total_rows > settings.NPOHUB_IMPORT_SYNC_LIMIT


def _enqueue(job: ImportJob, task: Task[[int], None]) -> None:
    """Queue ``task`` for the job once the current transaction commits; the job remembers the
    task (its database row tells the sweep whether it still runs)."""

    def send() -> None:
        result = task.enqueue(job.pk)
        ImportJob.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])

    transaction.on_commit(send)


def import_start(*, actor: User, kind: str, upload: UploadedFile) -> ImportJob:
    """Store an upload as an import job and validate it (inline when small, else as a task).

    Refused before anything is stored: a file over the size limit, an archive that would
    decompress past its limits, a sheet with more rows or columns than allowed (counted from
    the rows themselves, never from the sheet's declared dimension). Rows are counted only up
    to the inline limit here; the worker counts the rest before it parses the file.
    """
    if kind not in IMPORT_KINDS:
        raise ValidationFailed(
            _("请选择导入类型"), details={"kind": _("应为 registered 或 community_group")}
        )
    require(can_import(actor, kind=import_kind_for(kind)))
    filename = (upload.name or "upload.xlsx").rsplit("/", 1)[-1]
    if not filename.lower().endswith(ALLOWED_EXTENSIONS):
        raise ValidationFailed(
            _("请上传 Excel 文件（.xlsx）或 CSV 文件"), details={"file": _("不支持的文件类型")}
        )
    limits = Limits.from_settings()
    check_upload_size(upload.size, limits)
    rows = count_rows(
        getattr(upload, "file", upload),
        filename,
        limits,
        stop_after=settings.NPOHUB_IMPORT_SYNC_LIMIT,
    )
    upload.seek(0)
    job = ImportJob(created_by=actor, kind=kind, filename=filename[:255])
    job.total_rows = rows if rows is not None else max((upload.size or 0) // 100, 1)
    job.file.save(filename, upload, save=False)
    job.save()
    if _runs_in_background(job):
        from ..tasks import validate_import_task

        _enqueue(job, validate_import_task)
    else:
        import_validate(job=job)
    return job


def import_validate(*, job: ImportJob, task_id: str = "") -> ImportJob:
    """Validate the job's file and store the preview: counts and every problem by row/column."""
    worker = current_process()
    claim: dict[str, Any] = {
        "status": ImportStatus.VALIDATING,
        "processed_rows": 0,
        "worker": worker,
        "heartbeat_at": timezone.now(),
    }
    if task_id:
        claim["task_id"] = task_id[:64]
    ImportJob.objects.filter(pk=job.pk).update(**claim)
    job.worker = worker
    try:
        plan = import_plan(actor=job.created_by, job=job, progress=True)
    except Exception as exc:
        return _fail(job, exc)
    job.status = ImportStatus.INVALID if plan.errors else ImportStatus.PREVIEW
    job.errors = plan.errors
    job.error_count = len(plan.errors)
    job.summary = plan.summary
    job.total_rows = plan.total_rows
    job.processed_rows = plan.total_rows
    job.message = ""
    job.worker = ""
    ImportJob.objects.filter(pk=job.pk, status=ImportStatus.VALIDATING, worker=worker).update(
        status=job.status,
        errors=job.errors,
        error_count=job.error_count,
        summary=job.summary,
        total_rows=job.total_rows,
        processed_rows=job.processed_rows,
        message="",
        worker="",
    )
    job.refresh_from_db()
    return job


def _fail(job: ImportJob, exc: Exception) -> ImportJob:
    job.status = ImportStatus.FAILED
    job.message = (getattr(exc, "message", None) or str(exc) or exc.__class__.__name__)[:500]
    job.finished_at = timezone.now()
    job.worker = ""
    job.save(update_fields=["status", "message", "finished_at", "worker"])
    return job


def _owned(actor: User, job: ImportJob) -> None:
    if job.created_by_id != actor.pk and not actor.is_superuser:
        raise NotFound(_("导入任务不存在"))
    require(can_import(actor, kind=import_kind_for(job.kind)))


def import_commit_request(*, actor: User, job: ImportJob) -> ImportJob:
    """Commit a previewed job, or one whose commit failed (a retry): inline when small, else
    queue it (the page polls progress). A job whose process died is failed first (sweep)."""
    _owned(actor, job)
    import_jobs_sweep(job_ids=[job.pk])
    job.refresh_from_db()
    retry = job.status == ImportStatus.FAILED and job.attempts > 0
    if job.status in RUNNING_STATUSES:
        raise Conflict(_("该任务已在导入中"), code="import.not_ready")
    if not (job.status == ImportStatus.PREVIEW or retry) or job.error_count:
        raise Conflict(_("只有校验通过且未导入的任务可以确认导入"), code="import.not_ready")
    updated = ImportJob.objects.filter(pk=job.pk, status=job.status, attempts=job.attempts).update(
        status=ImportStatus.COMMITTING,
        processed_rows=0,
        attempts=F("attempts") + 1,
        message="",
        finished_at=None,
        worker="",
        heartbeat_at=timezone.now(),
        task_id="",
    )
    if not updated:
        raise Conflict(_("该任务已在导入中"), code="import.not_ready")
    job.refresh_from_db()
    if _runs_in_background(job):
        from ..tasks import commit_import_task

        _enqueue(job, commit_import_task)
        return job
    return import_commit(actor=actor, job=job)


def import_retry(*, actor: User, job: ImportJob) -> ImportJob:
    """Run a failed job again from where it failed: the commit when writing failed (nothing
    was written), else the validation."""
    _owned(actor, job)
    import_jobs_sweep(job_ids=[job.pk])
    job.refresh_from_db()
    if job.status != ImportStatus.FAILED:
        raise Conflict(_("只有失败的任务可以重试"), code="import.not_retryable")
    with transaction.atomic():
        audit_record(
            actor=actor,
            kind="orgs.import_retried",
            target=job,
            payload={"stage": "commit" if job.attempts else "validate", "message": job.message},
        )
    if job.attempts:
        return import_commit_request(actor=actor, job=job)
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.FAILED, attempts=0).update(
        status=ImportStatus.PENDING,
        processed_rows=0,
        message="",
        finished_at=None,
        worker="",
        heartbeat_at=timezone.now(),
        task_id="",
    )
    if not updated:
        raise Conflict(_("该任务已在导入中"), code="import.not_ready")
    job.refresh_from_db()
    if _runs_in_background(job):
        from ..tasks import validate_import_task

        _enqueue(job, validate_import_task)
        return job
    return import_validate(job=job)


class _Superseded(Exception):
    """The job stopped being this process's to commit (marked lost meanwhile)."""


def import_commit(*, actor: User, job: ImportJob, task_id: str = "") -> ImportJob:
    """Write the whole file in one transaction, or nothing (job marked failed or invalid).

    The process claims the job (``worker``, heartbeat); the write transaction starts by locking
    the job row, and only writes if the job is still this process's "committing" job.
    """
    worker = current_process()
    claim: dict[str, Any] = {"worker": worker, "heartbeat_at": timezone.now()}
    if task_id:
        claim["task_id"] = task_id[:64]
    if not ImportJob.objects.filter(pk=job.pk, status=ImportStatus.COMMITTING).update(**claim):
        job.refresh_from_db()
        return job
    job.worker = worker
    try:
        # Read and clean the file before taking the write lock; under the lock, decide again
        # against the registry as it is now (the file is re-read only if regions or categories
        # the rows use have changed meanwhile).
        plan = import_plan(actor=actor, job=job)
        if plan.errors:
            raise _StillInvalid(plan)
        with transaction.atomic():
            mine = ImportJob.objects.select_for_update().filter(
                pk=job.pk, status=ImportStatus.COMMITTING, worker=worker
            )
            if not mine.exists():
                raise _Superseded
            if _lookups_changed(plan):
                plan = import_plan(actor=actor, job=job)
            else:
                plan = _redecide(actor=actor, plan=plan)
            if plan.errors:
                raise _StillInvalid(plan)
            _write(actor=actor, job=job, plan=plan)
    except _Superseded:
        job.refresh_from_db()
        return job
    except _StillInvalid as invalid:
        job.status = ImportStatus.INVALID
        job.errors = invalid.plan.errors
        job.error_count = len(invalid.plan.errors)
        job.summary = invalid.plan.summary
        job.message = _("数据已变化，请按错误修改后重新上传")
        job.worker = ""
        job.save(update_fields=["status", "errors", "error_count", "summary", "message", "worker"])
        return job
    except Exception as exc:
        return _fail(job, exc)
    return job


class _StillInvalid(Exception):
    def __init__(self, plan: ImportPlan) -> None:
        super().__init__("invalid")
        self.plan = plan
