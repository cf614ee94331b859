"""Issue 20, finding 9: ``manage.py backup`` / ``restore`` round-trip on the suite's engine
(SQLite by default; PostgreSQL when DATABASE_URL is set): the restore goes into a fresh
database and an empty media directory, and every table's row count and checksum match."""

import json
import sqlite3
import tarfile
import uuid
from contextlib import closing
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from npohub.core.backup import Target, backup, database_checksums
from npohub.core.models import AuditEvent

pytestmark = pytest.mark.django_db

UPLOADS = {
    "imports/2026/12/组织名录.xlsx": b"PK\x03\x04 not really a workbook",
    "registration/attachments/章程.pdf": b"%PDF-1.7 ...",
    "certificates/2026/证书-1.pdf": bytes(range(256)) * 40,
}


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "media"
    for name, content in UPLOADS.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of a new, empty database of the suite's engine (dropped afterwards)."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    db = connection.settings_dict
    name = f"npohub_restore_{uuid.uuid4().hex[:10]}"
    admin = {"dbname": "postgres", "user": db["USER"], "host": db["HOST"], "port": db["PORT"]}
    password = db["PASSWORD"] or None
    with psycopg.connect(**admin, password=password, autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    yield f"postgres://{user}@{db['HOST']}:{db['PORT']}/{name}"
    with psycopg.connect(**admin, password=password, autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def files_under(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # pg_dump reads committed rows
def test_a_backup_restores_into_a_fresh_database_with_every_table_and_upload_identical(
    cast, orgs, media, tmp_path, fresh_database
):
    backup_dir = tmp_path / "backup"

    call_command("backup", str(backup_dir))

    manifest = json.loads((backup_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"] == connection.vendor
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM orgs_organization")
        (organisations,) = cursor.fetchone()
    assert organisations and manifest["tables"]["orgs_organization"]["rows"] == organisations
    assert manifest["media"]["files"] == len(UPLOADS)
    with tarfile.open(backup_dir / "media.tar") as archive:
        assert sorted(archive.getnames()) == sorted(UPLOADS)

    restored_media = tmp_path / "restored-media"
    call_command(
        "restore", str(backup_dir), database_url=fresh_database, media_root=str(restored_media)
    )

    source = database_checksums(Target.default())
    restored = database_checksums(Target.from_url(fresh_database))
    assert len(source) > 50 and "accounts_user" in source
    assert restored == source == manifest["tables"]  # every table: rows and checksum
    assert files_under(restored_media) == files_under(media)


@pytest.fixture
def small_backup(tmp_path, media):
    """A backup made outside the test's transaction: of a small SQLite file on SQLite (the
    in-memory test database cannot be copied while the test writes to it), of the test
    database's committed state on PostgreSQL."""
    directory = tmp_path / "backup"
    if connection.vendor == "sqlite":
        source = tmp_path / "source.sqlite3"
        with closing(sqlite3.connect(source)) as db:
            db.execute("CREATE TABLE note (id integer PRIMARY KEY, text varchar(20))")
            db.executemany("INSERT INTO note (text) VALUES (?)", [("甲",), ("乙",)])
            db.commit()
        backup(directory, target=Target.from_url(f"sqlite:///{source}"))
    else:
        call_command("backup", str(directory))
    return directory


def counts():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM regions_region")
        (regions,) = cursor.fetchone()
    return get_user_model().objects.count(), regions, AuditEvent.objects.count()


def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(
    cast, small_backup, tmp_path
):
    before = counts()

    with pytest.raises(CommandError, match="已有数据表"):
        call_command("restore", str(small_backup), media_root=str(tmp_path / "m2"))

    assert counts() == before and before[0] > 5
    assert not (tmp_path / "m2").exists()


def test_restore_refuses_a_backup_whose_files_do_not_match_its_manifest(
    small_backup, tmp_path, fresh_database
):
    with (small_backup / "media.tar").open("ab") as handle:
        handle.write(b"\0")

    with pytest.raises(CommandError, match="校验和不符"):
        call_command(
            "restore",
            str(small_backup),
            database_url=fresh_database,
            media_root=str(tmp_path / "m"),
        )

    assert database_checksums(Target.from_url(fresh_database)) == {}
    assert not (tmp_path / "m").exists()


def test_a_backup_never_writes_into_a_directory_that_holds_files(cast, tmp_path, media):
    backup_dir = tmp_path / "backup"
    backup_dir.mkdir()
    (backup_dir / "old.txt").write_text("x")
    with pytest.raises(CommandError, match="不是空的"):
        call_command("backup", str(backup_dir))
    assert [p.name for p in backup_dir.iterdir()] == ["old.txt"]


@pytest.mark.skipif(
    not django_settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"), reason="SQLite only"
)
def test_an_in_memory_database_is_refused_inside_a_transaction_instead_of_waiting_forever(
    tmp_path,
):
    with pytest.raises(CommandError, match="事务"):
        call_command("backup", str(tmp_path / "b"))
