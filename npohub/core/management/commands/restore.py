"""manage.py restore DIR: a backup into a fresh database and an empty media directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from npohub.core.backup import BackupError, Target, describe, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by 'manage.py backup' into a fresh, empty database (the "
        "configured one, or --database-url) and an empty MEDIA_ROOT (or --media-root), then "
        "check every table's row count and checksum against the manifest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="a directory written by manage.py backup")
        parser.add_argument(
            "--database-url",
            default=None,
            help="restore into this database instead (sqlite:////path or postgres://…/name)",
        )
        parser.add_argument("--media-root", type=Path, default=None, help="default: MEDIA_ROOT")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        try:
            target = Target.from_url(options["database_url"]) if options["database_url"] else None
            manifest = restore(directory, target=target, media_root=options["media_root"])
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            _("恢复完成，已逐表核对行数和校验和：%(summary)s") % {"summary": describe(manifest)}
        )
