"""Backup and restore of the whole platform: the database and the uploaded files.

A backup is a directory::

    manifest.json      what is inside, and how to check it (written last: no manifest, no backup)
    database.sqlite3   SQLite: a copy made with SQLite's online backup API (writers may go on)
    database.dump      PostgreSQL: ``pg_dump -Fc`` of one snapshot
    media.tar          every file under MEDIA_ROOT (uploads: attachments, import files, …)

The manifest lists every table with its row count and a checksum of its content (rows read in
primary-key order, SHA-256), computed on exactly what the backup holds: from the copy on SQLite,
and on PostgreSQL in the same snapshot ``pg_dump`` reads (``pg_export_snapshot``). A restore
goes into a fresh database and an empty media directory, checks the files against the manifest
first, and recomputes every table's count and checksum afterwards; any difference is an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.dump"
MEDIA_FILE = "media.tar"
FETCH = 2000  # rows per fetch while checksumming


class BackupError(Exception):
    """The backup or restore cannot go on; ``message`` says why (in Chinese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Target:
    """A database to back up or restore into: its engine and connection settings."""

    vendor: str  # "sqlite" or "postgresql"
    settings: dict[str, Any]

    @classmethod
    def default(cls) -> Target:
        return cls.from_settings(connections[DEFAULT_DB_ALIAS].settings_dict)

    @classmethod
    def from_url(cls, url: str) -> Target:
        import dj_database_url

        parsed: dict[str, Any] = dict(dj_database_url.parse(url))
        return cls.from_settings(parsed)

    @classmethod
    def from_settings(cls, settings_dict: dict[str, Any]) -> Target:
        engine = str(settings_dict.get("ENGINE", ""))
        if engine.endswith("sqlite3"):
            return cls("sqlite", dict(settings_dict))
        if "postgresql" in engine:
            return cls("postgresql", dict(settings_dict))
        raise BackupError(_("不支持的数据库类型：%(engine)s") % {"engine": engine})

    @property
    def label(self) -> str:
        return str(self.settings.get("NAME", ""))

    def conninfo(self) -> str:
        from psycopg.conninfo import make_conninfo

        values = {
            "dbname": self.settings.get("NAME") or "",
            "user": self.settings.get("USER") or "",
            "host": self.settings.get("HOST") or "",
            "port": str(self.settings.get("PORT") or ""),
        }
        options = self.settings.get("OPTIONS") or {}
        for key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "options"):
            if options.get(key):
                values[key] = str(options[key])
        return make_conninfo(**{k: v for k, v in values.items() if v})

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.settings.get("PASSWORD"):
            env["PGPASSWORD"] = str(self.settings["PASSWORD"])
        return env

    def postgres(self) -> Any:
        import psycopg

        return psycopg.connect(self.conninfo(), password=self.settings.get("PASSWORD") or None)


# --- Checksums ----------------------------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _digest(rows: Iterable[Any]) -> tuple[int, str]:
    digest = hashlib.sha256()
    count = 0
    for row in rows:
        digest.update(repr(row).encode())
        digest.update(b"\n")
        count += 1
    return count, digest.hexdigest()


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
        "ESCAPE '\\' ORDER BY name"
    )
    return [name for (name,) in rows]


def _sqlite_rows(db: sqlite3.Connection, table: str) -> Iterator[Any]:
    columns = db.execute(f"PRAGMA table_info({_quote(table)})").fetchall()
    keys = [c[1] for c in sorted(columns, key=lambda c: c[5]) if c[5]]
    order = ", ".join(_quote(k) for k in keys) if keys else "rowid"
    try:
        cursor = db.execute(f"SELECT * FROM {_quote(table)} ORDER BY {order}")
    except sqlite3.OperationalError:  # a virtual table without rowid ordering
        cursor = db.execute(
            f"SELECT * FROM {_quote(table)} ORDER BY "
            + ", ".join(str(i + 1) for i in range(len(columns) or 1))
        )
    while batch := cursor.fetchmany(FETCH):
        yield from batch


def sqlite_checksums(db: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    result = {}
    for table in _sqlite_tables(db):
        count, checksum = _digest(_sqlite_rows(db, table))
        result[table] = {"rows": count, "checksum": checksum}
    return result


def _postgres_rows(db: Any, table: str) -> Iterator[Any]:
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT a.attname FROM pg_index i "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)",
            [_quote(table)],
        )
        keys = [name for (name,) in cursor.fetchall()]
    order = ", ".join(f"t.{_quote(k)}" for k in keys) if keys else "t::text"
    # The row as PostgreSQL writes it (exact numerics, canonical jsonb, hex bytea, UTC times).
    with db.cursor(name=f"checksum_{abs(hash(table))}") as cursor:
        cursor.itersize = FETCH
        cursor.execute(f"SELECT t::text FROM {_quote(table)} t ORDER BY {order}")
        for (text,) in cursor:
            yield text


def postgres_checksums(db: Any) -> dict[str, dict[str, Any]]:
    """Checksums of every table of the current schema, in ``db``'s current transaction."""
    with db.cursor() as cursor:
        cursor.execute("SET LOCAL TIME ZONE 'UTC'")
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        )
        tables = [name for (name,) in cursor.fetchall()]
    result = {}
    for table in tables:
        count, checksum = _digest(_postgres_rows(db, table))
        result[table] = {"rows": count, "checksum": checksum}
    return result


def database_checksums(target: Target) -> dict[str, dict[str, Any]]:
    """Every table's row count and content checksum, read from ``target`` now."""
    if target.vendor == "sqlite":
        with _sqlite_connection(target) as db:
            return sqlite_checksums(db)
    with target.postgres() as db, db.transaction():
        db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return postgres_checksums(db)


def overall_checksum(tables: dict[str, dict[str, Any]]) -> str:
    text = "\n".join(f"{name} {v['rows']} {v['checksum']}" for name, v in sorted(tables.items()))
    return hashlib.sha256(text.encode()).hexdigest()


def _in_memory(target: Target) -> bool:
    name = str(target.settings.get("NAME", ""))
    return name == ":memory:" or "mode=memory" in name


class _sqlite_connection:
    """A plain connection to the SQLite database (no type converters: values as stored), closed
    afterwards. An in-memory database (the test database) is copied out of Django's own
    connection first."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.db: sqlite3.Connection | None = None

    def __enter__(self) -> sqlite3.Connection:
        if _in_memory(self.target):
            django = connections[DEFAULT_DB_ALIAS]
            if django.vendor != "sqlite" or not django.is_in_memory_db():  # type: ignore[attr-defined]
                raise BackupError(_("无法读取内存中的数据库"))
            if django.in_atomic_block:  # SQLite cannot copy a database its connection is writing
                raise BackupError(_("无法在事务中读取内存中的数据库"))
            django.ensure_connection()
            self.db = sqlite3.connect(":memory:")
            django.connection.backup(self.db)
        else:
            self.db = sqlite3.connect(str(self.target.settings["NAME"]))
        return self.db

    def __exit__(self, *exc: object) -> None:
        if self.db is not None:
            self.db.close()


# --- Files --------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _file_entry(path: Path, **extra: Any) -> dict[str, Any]:
    return {"file": path.name, "bytes": path.stat().st_size, "sha256": _sha256(path), **extra}


def _tar_media(media_root: Path, out: Path) -> dict[str, Any]:
    files = 0
    with tarfile.open(out, "w") as archive:
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    archive.add(path, arcname=path.relative_to(media_root).as_posix())
                    files += 1
    return _file_entry(out, files=files)


def _require_binary(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            _("找不到 %(name)s，请先安装 PostgreSQL 客户端（postgresql-client）") % {"name": name}
        )
    return found


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(
            _("%(command)s 失败：%(error)s")
            % {"command": Path(args[0]).name, "error": result.stderr.strip()[-2000:]}
        )


def _migrations(target: Target) -> dict[str, str]:
    """The last applied migration of every app (what code the backup belongs to)."""
    latest: dict[str, str] = {}
    recorder = connections[DEFAULT_DB_ALIAS]
    with recorder.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            latest[app] = name
    return latest if target == Target.default() else {}


# --- Backup -------------------------------------------------------------------------------------


def backup(
    directory: Path, *, target: Target | None = None, media_root: Path | None = None
) -> dict[str, Any]:
    """Write a backup of ``target`` (the default database) and ``media_root`` (MEDIA_ROOT) into
    ``directory`` (new or empty); returns the manifest."""
    target = target or Target.default()
    media_root = Path(media_root or settings.MEDIA_ROOT)
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.iterdir()):
        raise BackupError(_("备份目录 %(dir)s 不是空的") % {"dir": directory})
    started = timezone.now()
    if target.vendor == "sqlite":
        out = directory / SQLITE_FILE
        with _sqlite_connection(target) as source:
            copy = sqlite3.connect(out)
            try:
                source.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")
                tables = sqlite_checksums(copy)
            finally:
                copy.close()
    else:
        out = directory / POSTGRES_FILE
        pg_dump = _require_binary("pg_dump")
        with target.postgres() as db, db.transaction():
            db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            row = db.execute("SELECT pg_export_snapshot()").fetchone()
            snapshot = str(row[0])
            args = [pg_dump, "--format=custom", "--no-owner", "--no-privileges"]
            args += [f"--snapshot={snapshot}", f"--file={out}", f"--dbname={target.conninfo()}"]
            _run(args, target.environment())
            tables = postgres_checksums(db)
    media = _tar_media(media_root, directory / MEDIA_FILE)
    manifest = {
        "format": FORMAT,
        "created_at": started.isoformat(),
        "finished_at": timezone.now().isoformat(),
        "engine": target.vendor,
        "database_name": Path(target.label).name if target.vendor == "sqlite" else target.label,
        "migrations": _migrations(target),
        "database": _file_entry(out),
        "media": media,
        "tables": tables,
        "checksum": overall_checksum(tables),
    }
    partial = directory / (MANIFEST + ".partial")
    partial.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    partial.rename(directory / MANIFEST)
    return manifest


# --- Restore ------------------------------------------------------------------------------------


def read_manifest(directory: Path) -> dict[str, Any]:
    """The manifest, after checking every file of the backup against it."""
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(_("%(dir)s 中没有 manifest.json，不是完整的备份") % {"dir": directory})
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(_("不认识的备份格式：%(format)s") % {"format": manifest.get("format")})
    for key in ("database", "media"):
        entry = manifest[key]
        file = directory / entry["file"]
        if not file.is_file() or _sha256(file) != entry["sha256"]:
            raise BackupError(
                _("备份文件 %(file)s 缺失或已损坏（校验和不符）") % {"file": entry["file"]}
            )
    return manifest


def _require_empty_database(target: Target) -> None:
    if target.vendor == "sqlite":
        if _in_memory(target):
            django = connections[DEFAULT_DB_ALIAS]
            tables = django.introspection.table_names() if django.vendor == "sqlite" else []
            raise BackupError(
                _("目标数据库 %(name)s 已有数据表；请恢复到新的空数据库") % {"name": target.label}
                if tables
                else _("不能恢复到内存中的数据库；请用 --database-url 指定数据库文件")
            )
        path = Path(str(target.settings["NAME"]))
        if path.exists() and path.stat().st_size:
            with sqlite3.connect(path) as db:
                if _sqlite_tables(db):
                    raise BackupError(
                        _("目标数据库 %(name)s 已有数据表；请恢复到新的空数据库") % {"name": path}
                    )
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    with target.postgres() as db:
        row = db.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchone()
    if row and row[0]:
        raise BackupError(
            _("目标数据库 %(name)s 已有数据表；请先创建新的空数据库（createdb）")
            % {"name": target.label}
        )


def _require_empty_directory(path: Path) -> None:
    if path.exists() and any(path.iterdir()):
        raise BackupError(_("上传文件目录 %(dir)s 不是空的；请恢复到空目录") % {"dir": path})


def restore(
    directory: Path, *, target: Target | None = None, media_root: Path | None = None
) -> dict[str, Any]:
    """Restore the backup in ``directory`` into ``target`` (a fresh database) and
    ``media_root`` (an empty directory), then check every table against the manifest."""
    manifest = read_manifest(directory)
    target = target or Target.default()
    media_root = Path(media_root or settings.MEDIA_ROOT)
    if manifest["engine"] != target.vendor:
        raise BackupError(
            _("这是 %(backup)s 的备份，不能恢复到 %(target)s")
            % {"backup": manifest["engine"], "target": target.vendor}
        )
    _require_empty_database(target)
    _require_empty_directory(media_root)
    dump = directory / manifest["database"]["file"]
    if target.vendor == "sqlite":
        path = Path(str(target.settings["NAME"]))
        path.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        copy = sqlite3.connect(path)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
    else:
        pg_restore = _require_binary("pg_restore")
        args = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error"]
        args += ["--single-transaction", f"--dbname={target.conninfo()}", str(dump)]
        _run(args, target.environment())
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(directory / manifest["media"]["file"]) as archive:
        archive.extractall(media_root, filter="data")
    tables = database_checksums(target)
    differences = compare(manifest["tables"], tables)
    if differences:
        raise BackupError(
            _("恢复后的数据与备份清单不一致：%(tables)s") % {"tables": "、".join(differences)}
        )
    return manifest


def compare(expected: dict[str, dict[str, Any]], actual: dict[str, dict[str, Any]]) -> list[str]:
    """The tables whose presence, row count or checksum differ."""
    return sorted(
        name for name in set(expected) | set(actual) if expected.get(name) != actual.get(name)
    )


def describe(manifest: dict[str, Any]) -> str:
    rows = sum(t["rows"] for t in manifest["tables"].values())
    return _("%(tables)s 张表，%(rows)s 行，%(files)s 个上传文件，校验和 %(checksum)s") % {
        "tables": len(manifest["tables"]),
        "rows": rows,
        "files": manifest["media"]["files"],
        "checksum": manifest["checksum"][:16],
    }
