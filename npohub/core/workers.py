"""Which process runs a background job, and what django-tasks says of its task.

Shared by every app whose jobs run in a ``db_worker`` (registry imports, list exports): a job
row names the process running it (:func:`current_process`: boot id, pid namespace, pid and
start time on Linux) and carries a heartbeat; a sweep asks :func:`process_alive` and
:func:`task_statuses` to tell a dead job from a live one, and :func:`fail_task` marks the task
row of a lost job failed.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import socket

from django.core.exceptions import ValidationError


@functools.cache
def _boot_id() -> str:
    try:
        with open("/proc/sys/kernel/random/boot_id") as handle:
            return handle.read().strip()
    except OSError:
        return ""


@functools.cache
def _pid_namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""


def _start_ticks(pid: int) -> str:
    """The process's start time (clock ticks since boot), "" if it is gone or a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            stat = handle.read()
    except OSError:
        return ""
    fields = stat[stat.rfind(")") + 2 :].split()
    if len(fields) < 20 or fields[0] in ("Z", "X"):
        return ""
    return fields[19]


def current_process() -> str:
    """This process, as stored in a job's ``worker`` field."""
    pid = os.getpid()
    boot, namespace, start = _boot_id(), _pid_namespace(), _start_ticks(pid)
    if boot and namespace and start:
        return f"{boot}|{namespace}|{pid}|{start}"
    return f"{socket.gethostname()}|{pid}"


def process_alive(worker: str) -> bool | None:
    """Whether the process named by ``worker`` still runs; None when it cannot be told from
    here (another machine or container, or no /proc)."""
    parts = worker.split("|")
    if len(parts) != 4 or not _boot_id() or not _pid_namespace():
        return None
    boot, namespace, pid, start = parts
    if boot != _boot_id() or namespace != _pid_namespace() or not pid.isdigit():
        return None
    return _start_ticks(int(pid)) == start


def task_statuses(task_ids: set[str]) -> dict[str, str]:
    """django-tasks database rows' statuses (READY, RUNNING, FAILED, SUCCESSFUL) by task id;
    ids that are not task ids (another backend's) are left out."""
    from django_tasks_db.models import DBTaskResult

    valid = []
    for task_id in task_ids:
        try:
            DBTaskResult._meta.pk.to_python(task_id)
        except ValidationError:
            continue
        valid.append(task_id)
    rows = DBTaskResult.objects.filter(pk__in=valid).values_list("pk", "status")
    return {str(pk): status for pk, status in rows}


def fail_task(task_id: str, message: str, now: dt.datetime, exception_path: str) -> None:
    """Mark a task row still "running" failed, with ``message`` as its traceback."""
    from django_tasks_db.models import DBTaskResult

    if task_id and task_statuses({task_id}):
        DBTaskResult.objects.filter(pk=task_id, status="RUNNING").update(
            status="FAILED",
            finished_at=now,
            return_value=None,
            exception_class_path=exception_path,
            traceback=message,
        )
