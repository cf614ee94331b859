"""Settings of the worker processes the crash tests start and kill (test_import_jobs.py): the
test settings with the database task queue and uploads on disk, so that the test process and
its workers share the queue and the files. The database comes from SQLITE_PATH/DATABASE_URL."""

from config.settings.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
