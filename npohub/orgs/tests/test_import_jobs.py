"""Issue 20, finding 3: an import whose process died is detected, failed with a message, and
can be retried; nothing is half-written. The last test kills a real worker mid-commit."""

import datetime as dt
import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import Workbook

from npohub.accounts.services import api_token_create
from npohub.core.models import AuditEvent
from npohub.orgs.import_jobs import (
    current_process,
    import_jobs_sweep,
    process_alive,
    sweep_when_worker_starts,
)
from npohub.orgs.imports import (
    COMMUNITY_GROUP,
    import_commit_request,
    import_retry,
    import_start,
)
from npohub.orgs.models import ImportJob, ImportStatus, Kind, Organization, OrgRollup

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc"),
]

HEADER = ["名称", "住所社区/村区划代码", "类别", "负责人", "负责人手机", "备案日期"]
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def xlsx(count):
    """Groups without a category: seeded categories are gone after a transactional test."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for i in range(count):
        sheet.append(
            [f"解放桥社区第{i}队", "370102001002", "", "李娜", "13800000000", "2023-04-01"]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("groups.xlsx", buffer.getvalue())


def previewed(user, rows=3):
    job = import_start(actor=user, kind=COMMUNITY_GROUP, upload=xlsx(rows))
    assert job.status == ImportStatus.PREVIEW
    return job


def dead_here():
    """A process of this machine that no longer runs (this pid, another start time)."""
    boot, namespace, pid, start = current_process().split("|")
    return f"{boot}|{namespace}|{pid}|{int(start) + 1}"


def stuck(job, *, worker, heartbeat=None, status=ImportStatus.COMMITTING, attempts=1, task_id=""):
    """The job as a process left it when it died in the middle of ``status``."""
    ImportJob.objects.filter(pk=job.pk).update(
        status=status,
        worker=worker,
        heartbeat_at=heartbeat or timezone.now(),
        attempts=attempts,
        task_id=task_id,
    )
    job.refresh_from_db()
    return job


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


# --- Which process runs a job ------------------------------------------------------------------


def test_this_process_is_alive_a_dead_one_is_not_and_another_machine_is_unknown():
    assert process_alive(current_process()) is True
    assert process_alive(dead_here()) is False
    boot, namespace, pid, start = current_process().split("|")
    assert process_alive(f"another-boot|{namespace}|{pid}|{start}") is None
    assert process_alive("old-host|1234") is None


# --- The sweep ---------------------------------------------------------------------------------


def test_a_commit_whose_process_died_is_failed_with_a_chinese_message_and_audited(cast, regions):
    job = stuck(previewed(cast["street"]), worker=dead_here())

    assert import_jobs_sweep() == [job.pk]

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.finished_at is not None
    assert "导入进程意外中止" in job.message and "未写入任何数据" in job.message
    event = AuditEvent.objects.get(kind="orgs.import_job_lost")
    assert event.target_id == str(job.pk) and event.payload["status"] == "committing"
    assert not Organization.objects.exists()


def test_a_job_run_elsewhere_is_failed_only_once_its_heartbeat_is_older_than_the_lease(
    cast, regions, settings
):
    settings.NPOHUB_IMPORT_LEASE_SECONDS = 300
    elsewhere = "another-machine|pid:[1]|4242|1"
    fresh = stuck(previewed(cast["street"]), worker=elsewhere)
    old = stuck(
        previewed(cast["street"]),
        worker=elsewhere,
        heartbeat=timezone.now() - dt.timedelta(seconds=301),
        status=ImportStatus.VALIDATING,
        attempts=0,
    )

    assert import_jobs_sweep() == [old.pk]

    fresh.refresh_from_db()
    old.refresh_from_db()
    assert fresh.status == ImportStatus.COMMITTING and fresh.message == ""
    assert old.status == ImportStatus.FAILED and "校验进程意外中止" in old.message


def test_a_live_process_keeps_its_job_even_when_its_heartbeat_is_old(cast, regions):
    """A long write transaction cannot beat the heartbeat; the process itself is checked."""
    job = stuck(
        previewed(cast["street"]),
        worker=current_process(),
        heartbeat=timezone.now() - dt.timedelta(days=1),
    )
    assert import_jobs_sweep() == []
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTING


def test_a_queued_job_waits_for_a_worker_but_one_whose_task_ended_is_failed(
    cast, regions, settings
):
    settings.TASKS = DB_TASKS
    from npohub.orgs.tasks import commit_import_task

    long_ago = timezone.now() - dt.timedelta(days=1)
    queued = previewed(cast["street"])
    queued_task = commit_import_task.enqueue(queued.pk)
    stuck(queued, worker="", heartbeat=long_ago, task_id=str(queued_task.id))
    ended = previewed(cast["street"])
    ended_task = commit_import_task.enqueue(ended.pk)
    DBTaskResult.objects.filter(pk=ended_task.id).update(status="FAILED")
    stuck(ended, worker=current_process(), task_id=str(ended_task.id))

    assert import_jobs_sweep() == [ended.pk]
    queued.refresh_from_db()
    assert queued.status == ImportStatus.COMMITTING


def test_the_task_row_of_a_lost_job_is_failed_too(cast, regions, settings):
    settings.TASKS = DB_TASKS
    from npohub.orgs.tasks import commit_import_task

    job = previewed(cast["street"])
    task = commit_import_task.enqueue(job.pk)
    DBTaskResult.objects.filter(pk=task.id).update(status="RUNNING", started_at=timezone.now())
    stuck(job, worker=dead_here(), task_id=str(task.id))

    import_jobs_sweep()

    row = DBTaskResult.objects.get(pk=task.id)
    assert row.status == "FAILED" and "未写入任何数据" in row.traceback
    assert row.exception_class_path == "npohub.orgs.import_jobs.ImportProcessLost"


def test_the_sweep_runs_when_a_db_worker_starts_and_only_then():
    from django.db.backends.signals import connection_created

    try:
        assert sweep_when_worker_starts(["manage.py", "runserver"]) is False
        assert sweep_when_worker_starts(["manage.py", "db_worker", "--batch"]) is True
        assert connection_created.has_listeners()
    finally:
        connection_created.disconnect(dispatch_uid="npohub.orgs.import_jobs")


# --- Retry: pages and API ----------------------------------------------------------------------


def test_an_in_request_commit_that_died_shows_as_failed_and_its_retry_imports_every_row(
    cast, regions
):
    job = stuck(previewed(cast["street"]), worker=dead_here())
    client = signed_in(cast["street"])

    page = client.get(f"/orgs/imports/{job.pk}/").content.decode()
    assert "导入进程意外中止" in page and 'id="retry-import"' in page

    client.post(f"/orgs/imports/{job.pk}/retry/")

    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.attempts == 2
    assert Organization.objects.count() == 3
    assert AuditEvent.objects.filter(kind="orgs.organization_created").count() == 3
    assert AuditEvent.objects.filter(kind="orgs.import_retried").count() == 1


def test_committing_a_job_whose_process_died_is_a_retry_not_a_conflict(cast, regions):
    job = stuck(previewed(cast["street"]), worker=dead_here())
    job = import_commit_request(actor=cast["street"], job=job)
    assert job.status == ImportStatus.DONE and Organization.objects.count() == 3


def test_a_validation_that_died_is_validated_again_on_retry(cast, regions):
    job = stuck(
        previewed(cast["street"]), worker=dead_here(), status=ImportStatus.VALIDATING, attempts=0
    )
    response = signed_in(cast["street"]).post(f"/orgs/imports/{job.pk}/retry/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEW and not Organization.objects.exists()


def test_the_api_reports_a_dead_job_failed_and_retries_it(cast, regions):
    job = stuck(previewed(cast["street"]), worker=dead_here())
    _, raw = api_token_create(actor=cast["street"], user=cast["street"], name="tests")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    status = api.get(f"/api/v1/imports/{job.pk}").json()
    assert status["status"] == "failed" and "未写入任何数据" in status["message"]
    retried = api.post(f"/api/v1/imports/{job.pk}/retry")
    assert retried.status_code == 200 and retried.json()["status"] == "done"
    again = api.post(f"/api/v1/imports/{job.pk}/retry")
    assert again.status_code == 409 and again.json()["code"] == "import.not_retryable"
    assert Organization.objects.count() == 3


def test_another_user_cannot_retry_a_job_and_nothing_changes(cast, regions):
    job = stuck(previewed(cast["street"]), worker=dead_here())
    import_jobs_sweep()
    response = signed_in(cast["street_out"]).post(f"/orgs/imports/{job.pk}/retry/")
    assert response.status_code == 404
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and not Organization.objects.exists()


# --- A real worker killed mid-commit -----------------------------------------------------------


class Database:
    """The test database as the worker processes see it: a file copy of the in-memory SQLite
    test database, or the PostgreSQL test database itself (committed data: transactional test)."""

    def __init__(self, tmp_path: Path) -> None:
        self.vendor = connection.vendor
        if self.vendor == "sqlite":
            self.path = tmp_path / "worker.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(self.path)
            connection.connection.backup(target)
            target.execute("PRAGMA journal_mode=WAL")  # as the platform runs it
            target.close()

    def pull(self) -> None:
        """What the workers wrote, back into the test database (SQLite: from the file)."""
        if self.vendor == "sqlite":
            source = sqlite3.connect(self.path)
            source.backup(connection.connection)
            source.close()

    def env(self, media: Path) -> dict[str, str]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "npohub.orgs.tests.worker_settings",
            "MEDIA_ROOT": str(media),
            "PYTHONPATH": str(django_settings.BASE_DIR),
        }
        if self.vendor == "sqlite":
            env.pop("DATABASE_URL", None)
            env["SQLITE_PATH"] = str(self.path)
        else:
            db = connection.settings_dict
            user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
            env["DATABASE_URL"] = f"postgres://{user}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        return env

    def one(self, sql: str, *params: object) -> tuple:
        if self.vendor == "sqlite":
            with closing(sqlite3.connect(self.path)) as db:
                return db.execute(sql.replace("%s", "?"), params).fetchall()[0]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()


def run(args, env, timeout=40):
    result = subprocess.run(
        args, env=env, cwd=django_settings.BASE_DIR, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_killing_the_worker_mid_commit_rolls_back_fails_the_job_and_a_retry_imports_it(
    cast, regions, settings, tmp_path
):
    settings.TASKS = DB_TASKS
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    job = previewed(cast["street"], rows=20)
    settings.NPOHUB_IMPORT_SYNC_LIMIT = 5  # the commit goes to the worker
    job = import_commit_request(actor=cast["street"], job=job)
    assert job.status == ImportStatus.COMMITTING
    database = Database(tmp_path)
    env = database.env(tmp_path / "media")
    marker = tmp_path / "in-transaction"
    python = sys.executable

    worker = subprocess.Popen(
        [python, "-m", "npohub.orgs.tests.crash_worker", str(marker)],
        env=env,
        cwd=django_settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 40
        while not marker.exists():
            assert worker.poll() is None, worker.stderr.read()[-3000:]
            assert time.monotonic() < deadline, "the worker never reached the write"
            time.sleep(0.05)
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()

    # Killed inside the write transaction: nothing written, job and task left "running".
    job_row = "SELECT status, message, task_id FROM orgs_importjob WHERE id = %s"
    assert database.one(job_row, job.pk)[0] == "committing"
    assert database.one("SELECT count(*) FROM orgs_organization")[0] == 0
    task_id = database.one(job_row, job.pk)[2]
    task_row = "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = %s"
    task_key = task_id.replace("-", "") if database.vendor == "sqlite" else task_id
    assert database.one(task_row, task_key)[0] == "RUNNING"

    # A worker starting sweeps: the job and its task are failed, with the reason.
    run([python, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--skip-checks"], env)
    status, message, _task = database.one(job_row, job.pk)
    assert status == "failed" and "未写入任何数据" in message
    assert database.one(task_row, task_key)[0] == "FAILED"
    assert database.one("SELECT count(*) FROM orgs_organization")[0] == 0

    # The retry (the job page's button) writes every row, once.
    database.pull()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    job = import_retry(actor=cast["street"], job=ImportJob.objects.get(pk=job.pk))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.attempts == 2
    assert Organization.objects.count() == 20
    assert AuditEvent.objects.filter(kind="orgs.organization_created").count() == 20
    assert AuditEvent.objects.filter(kind="orgs.import_job_lost").count() == 1
    rollup = OrgRollup.objects.filter(region_code="370102001002", kind=Kind.COMMUNITY_GROUP)
    assert sum(r.count for r in rollup) == 20
