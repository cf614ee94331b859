"""manage.py backup DIR: the database and the uploaded files, with a checked manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from npohub.core.backup import BackupError, backup, describe


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite: online backup API; PostgreSQL: pg_dump -Fc) and every "
        "uploaded file (MEDIA_ROOT, as media.tar) into DIR, with manifest.json listing each "
        "table's row count and checksum. See README, 'Backup and restore'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="a new or empty directory")
        parser.add_argument("--media-root", type=Path, default=None, help="default: MEDIA_ROOT")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        try:
            manifest = backup(directory, media_root=options["media_root"])
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            _("备份完成：%(dir)s（%(summary)s）")
            % {"dir": directory, "summary": describe(manifest)}
        )
