"""``python -m bench.import_bench``: the 100 k-row filed-group Excel import, end to end
(performance.md §7.3 #8: ≤ 8 s on 2 cores, floor ≈ 1 s = calamine parse + raw executemany).

What it does:

1. **File.** ``var/bench/import-groups-<rows>-seed<N>.xlsx``: ``rows`` filed community groups in
   the 10 columns of the import template (``GROUP_COLUMNS``), spread over the communities of the
   shipped Jinan slice, names built from the demo vocabulary. Deterministic (same rows for the
   same seed); written once with openpyxl (slow, not timed) and reused.
2. **Database.** A throw-away database on the engine of the current settings: with
   ``DATABASE_URL`` set, ``<that database>_import_bench`` on the same PostgreSQL server (dropped
   and created again); else ``var/bench/import-bench.sqlite3``. It is migrated, gets the Jinan
   divisions and a city-bureau user; the import writes into an otherwise empty registry.
3. **Timing**, through the services a user's upload goes through, with the task backend
   immediate: ``import_start`` (store the upload, validate, preview) and
   ``import_commit_request`` (re-read, decide again under the lock, write, rollups, audit).
   ``--repeat N`` runs the whole thing N times on a fresh database and reports each run.

Flags: ``--rows 100000``, ``--seed 1``, ``--repeat 1``, ``--profile`` (cProfile of the commit,
top 25 by internal and
40 by cumulative time), ``--keep`` (keep the bench database afterwards).
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import datetime as dt
import io
import os
import pstats
import random
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

from . import config

SLICE = config.ROOT / "npohub" / "regions" / "data" / "divisions-3701"
BENCH_USERNAME = "bench-import"


# --- the file -----------------------------------------------------------------------------------
def xlsx_path(rows: int, seed: int) -> Path:
    return config.VAR / f"import-groups-{rows}-seed{seed}.xlsx"


def _communities() -> list[tuple[str, str]]:
    """(12-digit code, short name) of every community in the shipped Jinan slice, by code."""
    from npohub.demo.generator import community_short_name

    with (SLICE / "villages.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = [(r["code"], community_short_name(r["name"])) for r in csv.DictReader(handle)]
    return sorted(rows)


def generate_rows(rows: int, seed: int) -> list[list[Any]]:
    """The data rows (no header), in the template's column order. Deterministic."""
    from npohub.demo import vocab

    rng = random.Random(f"npohub-import-bench:{rows}:{seed}")
    communities = _communities()
    weights = [rng.lognormvariate(0, 0.6) for _ in communities]
    picks = rng.choices(range(len(communities)), weights, k=rows)
    categories = {
        "culture_sports": "文体活动",
        "life_service": "生活服务",
        "community_affairs": "社区事务",
        "charity": "公益慈善",
    }
    used: set[tuple[str, str]] = set()
    out: list[list[Any]] = []
    for index in picks:
        code, short = communities[index]
        activity, category = rng.choice(vocab.GROUP_ACTIVITIES)
        name = short + rng.choice(vocab.GROUP_PREFIXES) + activity
        serial = 2
        base = name
        while (code, name) in used:
            name = f"{base}第{serial}队"
            serial += 1
        used.add((code, name))
        person = rng.choice(vocab.SURNAMES) + "".join(
            rng.choice(vocab.GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2)))
        )
        mobile = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        filed = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(4000))
        out.append(
            [
                name,
                code,
                categories[category],
                person,
                mobile,
                filed,
                vocab.GROUP_PURPOSES[category],
                f"{short}{rng.choice(('党群服务中心', '综合服务中心', '活动室'))}",
                "" if rng.random() < 0.7 else f"0531-{rng.randrange(10**7, 10**8)}",
                "正常" if rng.random() < 0.5 else "",
            ]
        )
    return out


def ensure_xlsx(rows: int, seed: int) -> Path:
    path = xlsx_path(rows, seed)
    if path.exists():
        return path
    from openpyxl import Workbook

    from npohub.orgs.imports import GROUP_COLUMNS

    config.VAR.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    fixed = dt.datetime(2026, 1, 1)
    workbook.properties.created = workbook.properties.modified = fixed
    sheet = workbook.create_sheet("备案社区社会组织")
    sheet.append([column.header for column in GROUP_COLUMNS])
    for row in generate_rows(rows, seed):
        sheet.append(row)
    tmp = path.with_suffix(".tmp.xlsx")
    workbook.save(tmp)
    tmp.replace(path)
    print(f"wrote {path.relative_to(config.ROOT)} in {time.perf_counter() - started:.1f} s")
    return path


# --- the database -------------------------------------------------------------------------------
def prepare_environment() -> str:
    """Point the settings at the bench database (before Django starts); a label for the report."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("DEBUG", "false")
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    os.environ["MEDIA_ROOT"] = str(config.VAR / "import-media")
    url = os.environ.get("DATABASE_URL", "")
    if url:
        parts = urllib.parse.urlsplit(url)
        name = parts.path.lstrip("/") + "_import_bench"
        os.environ["DATABASE_URL"] = urllib.parse.urlunsplit(parts._replace(path="/" + name))
        return f"postgresql {parts.hostname}:{parts.port or 5432}/{name}"
    path = config.VAR / "import-bench.sqlite3"
    os.environ["SQLITE_PATH"] = str(path)
    return f"sqlite {path.relative_to(config.ROOT)}"


def drop_database(create: bool) -> None:
    """Remove the bench database (and create it empty again when ``create``)."""
    from django.db import connections

    connections.close_all()
    url = os.environ.get("DATABASE_URL", "")
    if url:
        import psycopg

        parts = urllib.parse.urlsplit(url)
        name = parts.path.lstrip("/")
        admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}"')
            if create:
                con.execute(f'CREATE DATABASE "{name}"')
    else:
        config.VAR.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(os.environ["SQLITE_PATH"] + suffix).unlink(missing_ok=True)


def setup_database() -> Any:
    """Migrate, load the Jinan divisions, create the importing user (a city bureau)."""
    import datetime

    from django.core.management import call_command

    from npohub.accounts.models import Role, User
    from npohub.regions.models import Region
    from npohub.regions.services import region_import

    call_command("migrate", "--no-input", verbosity=0)
    region_import(
        source=SLICE,
        layout="csv5",
        year=2023,
        effective_date=datetime.date(2023, 6, 30),
        scope_prefix="3701",
    )
    city = Region.objects.get(code="370100000000", is_active=True)
    return User.objects.create(
        username=BENCH_USERNAME,
        role=Role.CITY_BUREAU,
        region=city,
        scope_prefix=city.prefix,
        display_name="导入基准",
    )


# --- the run --------------------------------------------------------------------------------------
def run_once(path: Path, user: Any, profile: bool) -> dict[str, float]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from npohub.orgs.imports import COMMUNITY_GROUP, import_commit_request, import_start
    from npohub.orgs.models import ImportJob, ImportStatus, Organization

    data = path.read_bytes()
    upload = SimpleUploadedFile(path.name, data)
    t0 = time.perf_counter()
    job = import_start(actor=user, kind=COMMUNITY_GROUP, upload=upload)
    t1 = time.perf_counter()
    job.refresh_from_db()
    if job.status != ImportStatus.PREVIEW:
        raise SystemExit(f"validation ended in {job.status}: {job.errors[:5]} {job.message}")
    profiler = cProfile.Profile() if profile else None
    t2 = time.perf_counter()
    if profiler:
        profiler.enable()
    import_commit_request(actor=user, job=job)
    if profiler:
        profiler.disable()
    t3 = time.perf_counter()
    job = ImportJob.objects.get(pk=job.pk)
    if job.status != ImportStatus.DONE:
        raise SystemExit(f"commit ended in {job.status}: {job.message} {job.errors[:5]}")
    created = Organization.objects.count()
    job.file.delete(save=False)
    if profiler:
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(40)
        print(stream.getvalue())
    return {
        "validate_s": t1 - t0,
        "commit_s": t3 - t2,
        "total_s": (t1 - t0) + (t3 - t2),
        "created": float(created),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(config.ROOT))
    target = prepare_environment()
    import django

    django.setup()
    path = ensure_xlsx(args.rows, args.seed)
    print(f"file {path.relative_to(config.ROOT)} ({path.stat().st_size / 1e6:.1f} MB), {target}")
    results = []
    for run in range(args.repeat):
        drop_database(create=True)
        user = setup_database()
        result = run_once(path, user, args.profile)
        results.append(result)
        print(
            f"run {run + 1}: validate+preview {result['validate_s']:.2f} s, "
            f"commit {result['commit_s']:.2f} s, end to end {result['total_s']:.2f} s "
            f"({int(result['created'])} organisations)",
            flush=True,
        )
    if not args.keep:
        drop_database(create=False)
    best = min(r["total_s"] for r in results)
    print(f"best end to end: {best:.2f} s (target ≤ 8 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
