"""``python -m bench.run --size city``: the platform beside its floor, same run, ratios.

1. Data: ``var/bench/<size>-seed<N>.sqlite3`` (migrate + ``load_demo``; reused when present).
2. Samples (seeded): search terms of 3 and 2 characters cut from real names, organisation pks,
   region codes; a bench user (city bureau, whole city in scope) with a session cookie.
3. DB-only micro-benchmarks: the search SQL through the ORM vs the raw driver (median of 5 warm
   runs, and one cold run on a fresh connection).
4. HTTP: granian (2 workers) serving the platform and the bare floor app; wrk drives each
   operation on both; req/s, p50/p95/p99, non-2xx, and ratio = platform cost ÷ floor cost
   = floor req/s ÷ platform req/s ("how many times slower than the floor").
5. JSON to ``bench/results/<date>-<size>.json`` and a table on stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

from . import config

PY = sys.executable


# --- setup ------------------------------------------------------------------------------------
def bench_db_path(size: str, seed: int) -> Path:
    return config.VAR / f"{size}-seed{seed}.sqlite3"


def django_env(db_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)  # the bench runs on its own SQLite file
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        SQLITE_PATH=str(db_path),
        SECRET_KEY=config.BENCH_SECRET_KEY,
        SECURE_COOKIES="false",
        DEBUG="false",
        PYTHONPATH=str(config.ROOT),
    )
    return env


def manage(args: list[str], env: dict[str, str]) -> None:
    print(f"$ manage.py {' '.join(args)}", flush=True)
    subprocess.run([PY, "manage.py", *args], cwd=config.ROOT, env=env, check=True)


def ensure_data(size: str, seed: int, rebuild: bool) -> Path:
    config.VAR.mkdir(parents=True, exist_ok=True)
    path = bench_db_path(size, seed)
    if path.exists() and not rebuild:
        print(f"reusing {path.relative_to(config.ROOT)}")
        env = django_env(path)
        manage(["migrate", "--no-input", "-v", "0"], env)  # new migrations since last time
        return path
    tmp = path.with_suffix(".building.sqlite3")
    for stale in config.VAR.glob(tmp.name + "*"):
        stale.unlink()
    env = django_env(tmp)
    started = time.perf_counter()
    manage(["migrate", "--no-input", "-v", "0"], env)
    manage(["load_demo", "--size", size, "--seed", str(seed)], env)
    con = sqlite3.connect(tmp)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("ANALYZE")
    con.close()
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(tmp) + suffix)
        if src.exists():
            src.replace(Path(str(path) + suffix))
    print(f"built {path.relative_to(config.ROOT)} in {time.perf_counter() - started:.0f} s")
    return path


def ensure_static(env: dict[str, str]) -> None:
    """Collect static files every run (incremental): a stale manifest turns pages into 500s."""
    manage(["collectstatic", "--no-input", "-v", "0"], env)


# --- samples and the bench user (inside Django) -------------------------------------------------
def cut_terms(names: list[str], length: int, count: int, rng: random.Random) -> list[str]:
    """Substrings of real names (so frequent words come up as often as users type them)."""
    terms: list[str] = []
    tries = 0
    while len(terms) < count and tries < count * 50:
        tries += 1
        name = rng.choice(names)
        if len(name) < length:
            continue
        start = rng.randrange(0, len(name) - length + 1)
        term = name[start : start + length]
        if all("\u4e00" <= ch <= "\u9fff" for ch in term):
            terms.append(term)
    return terms


def prepare(db_path: Path) -> dict[str, Any]:
    """Create the bench user and its session; draw the samples. Runs with Django set up."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from npohub.accounts.models import Role, User
    from npohub.orgs.models import Organization
    from npohub.regions.models import Region

    city = Region.objects.filter(code=settings.NPOHUB_CITY_CODE, is_active=True).first()
    if city is None:
        raise SystemExit(f"the bench data has no region {settings.NPOHUB_CITY_CODE}")
    user, _ = User.objects.get_or_create(
        username=config.BENCH_USERNAME,
        defaults={"role": Role.CITY_BUREAU, "region": city, "display_name": "基准测试"},
    )
    user.role, user.region, user.scope_prefix, user.is_active = (
        Role.CITY_BUREAU,
        city,
        city.prefix,
        True,
    )
    user.set_password(config.BENCH_SECRET_KEY)
    user.save()
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    # A city bureau user must pass the second factor: the bench session has done so.
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.set_expiry(24 * 3600)
    session.save()

    rng = random.Random(config.SAMPLE_SEED)
    in_scope = Organization.objects.filter(address_code__startswith=city.prefix)
    names = list(in_scope.values_list("name", flat=True))
    pks = list(in_scope.values_list("pk", flat=True))
    regions = list(
        Region.objects.filter(code__startswith=city.prefix, is_active=True, level__lte=4)
        .order_by("code")
        .values_list("code", flat=True)
    )
    return {
        "session_cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
        "scope_prefix": city.prefix,
        "user_id": user.pk,
        "city_code": city.code,
        "organizations": len(pks),
        "search3": cut_terms(names, 3, config.SEARCH_SAMPLES, rng),
        "search2": cut_terms(names, 2, config.SEARCH_SAMPLES, rng),
        "pk": sorted(rng.sample(pks, min(config.PK_SAMPLES, len(pks)))),
        "region": sorted(rng.sample(regions, min(config.REGION_SAMPLES, len(regions)))),
    }


# --- DB-only micro-benchmarks --------------------------------------------------------------------
def _median_ms(fn: Any, runs: int) -> float:
    fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def micro(db_path: Path, samples: dict[str, Any]) -> list[dict[str, Any]]:
    """Search SQL (count + first page of 20, in scope) via the ORM and via raw sqlite3."""
    from django.db import connection

    from bench import floor
    from npohub.accounts.models import User
    from npohub.orgs.selectors import OrganizationFilters, organization_list_for

    user = User.objects.get(username=config.BENCH_USERNAME)
    os.environ["BENCH_DB"] = str(db_path)
    os.environ["BENCH_SCOPE"] = samples["scope_prefix"]
    os.environ["BENCH_USER_ID"] = str(samples["user_id"])
    out = []
    for label, terms in (("3-char", samples["search3"][:10]), ("2-char", samples["search2"][:10])):

        def orm(terms: list[str] = terms) -> None:
            for term in terms:
                qs = organization_list_for(user, OrganizationFilters(search=term))
                qs.count()
                list(qs[:20])

        def raw(terms: list[str] = terms) -> None:
            for term in terms:
                floor.search(term)

        connection.close()
        floor._local.__dict__.pop("conn", None)
        started = time.perf_counter()
        orm()
        cold_orm = (time.perf_counter() - started) * 1000 / len(terms)
        started = time.perf_counter()
        raw()
        cold_raw = (time.perf_counter() - started) * 1000 / len(terms)
        mismatches = [
            term
            for term in terms
            if organization_list_for(user, OrganizationFilters(search=term)).count()
            != floor.search(term)["count"]
        ]
        orm_ms = _median_ms(orm, config.MICRO_RUNS) / len(terms)
        raw_ms = _median_ms(raw, config.MICRO_RUNS) / len(terms)
        out.append(
            {
                "op": f"search {label} (count + page 20, in scope)",
                "orm_ms": round(orm_ms, 3),
                "raw_ms": round(raw_ms, 3),
                "ratio": round(orm_ms / raw_ms, 2) if raw_ms else None,
                "cold_orm_ms": round(cold_orm, 3),
                "cold_raw_ms": round(cold_raw, 3),
                "terms": terms,
                "count_mismatches": mismatches,
            }
        )
    return out


# --- HTTP ---------------------------------------------------------------------------------------
def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex((config.HOST, port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"nothing is listening on {config.HOST}:{port}")


def start_server(target: str, port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    granian = Path(PY).with_name("granian")
    cmd = [
        str(granian),
        "--interface",
        "wsgi",
        "--host",
        config.HOST,
        "--port",
        str(port),
        "--workers",
        str(config.SERVER_WORKERS),
        "--no-ws",
        target,
    ]
    handle = log.open("wb")
    proc = subprocess.Popen(cmd, cwd=config.ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    wait_for_port(port)
    return proc


def fill(template: str, value: Any) -> str:
    return template.format(
        q=urllib.parse.quote(str(value)), pk=value, code=urllib.parse.quote(str(value))
    )


def wrk(
    port: int, paths_file: Path, seconds: int, header: tuple[str, str] | None
) -> dict[str, Any]:
    script = config.ROOT / "bench" / "wrk.lua"
    cmd = [
        shutil.which("wrk") or "/usr/bin/wrk",
        "-t",
        str(config.WRK_THREADS),
        "-c",
        str(config.CONNECTIONS),
        "-d",
        f"{seconds}s",
        "--latency",
        "-s",
        str(script),
        f"http://{config.HOST}:{port}",
        "--",
        str(paths_file),
    ]
    if header:
        cmd += list(header)
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("WRKJSON "))
    stats = json.loads(line[len("WRKJSON ") :])
    seconds_run = stats["duration_us"] / 1e6
    return {
        "rps": round(stats["requests"] / seconds_run, 1),
        "p50_ms": stats["p50_us"] / 1000,
        "p95_ms": stats["p95_us"] / 1000,
        "p99_ms": stats["p99_us"] / 1000,
        "max_ms": stats["max_us"] / 1000,
        "requests": stats["requests"],
        "non_2xx": stats["non_2xx"],
        "socket_errors": stats["socket_errors"],
    }


def check_first(port: int, path: str, header: tuple[str, str] | None) -> int:
    import urllib.request

    request = urllib.request.Request(f"http://{config.HOST}:{port}{path}")
    if header:
        request.add_header(*header)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - local
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def http(
    samples: dict[str, Any], env: dict[str, str], ops: list[config.HttpOp]
) -> list[dict[str, Any]]:
    run_dir = config.VAR / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    floor_env = dict(
        env,
        BENCH_DB=env["SQLITE_PATH"],
        BENCH_SCOPE=samples["scope_prefix"],
        BENCH_USER_ID=str(samples["user_id"]),
    )
    cookie = ("Cookie", samples["session_cookie"])
    servers = [
        start_server(
            "config.wsgi:application", config.PLATFORM_PORT, env, run_dir / "platform.log"
        ),
        start_server(
            "bench.floor:application", config.FLOOR_PORT, floor_env, run_dir / "floor.log"
        ),
    ]
    results = []
    try:
        for op in ops:
            values = samples[op.samples]
            if not values:
                print(f"{op.name}: no samples, skipped")
                continue
            row: dict[str, Any] = {"op": op.name, "target": op.target}
            for side, port, template, header in (
                ("platform", config.PLATFORM_PORT, op.platform, cookie),
                ("floor", config.FLOOR_PORT, op.floor, None),
            ):
                paths = [fill(template, v) for v in values]
                paths_file = run_dir / f"{op.name}-{side}.txt"
                paths_file.write_text("\n".join(paths) + "\n", encoding="utf-8")
                status = check_first(port, paths[0], header)
                wrk(port, paths_file, config.WARMUP_SECONDS, header)  # warm-up, discarded
                stats = wrk(port, paths_file, config.DURATION_SECONDS, header)
                stats["first_status"] = status
                stats["example"] = paths[0]
                row[side] = stats
                print(
                    f"  {op.name:18s} {side:8s} {stats['rps']:9.1f} req/s  p50 {stats['p50_ms']:6.2f}"
                    f"  p95 {stats['p95_ms']:6.2f}  p99 {stats['p99_ms']:6.2f} ms"
                    f"  non-2xx {stats['non_2xx']}  (first: HTTP {status})",
                    flush=True,
                )
            platform_rps, floor_rps = row["platform"]["rps"], row["floor"]["rps"]
            row["ratio"] = round(floor_rps / platform_rps, 2) if platform_rps else None
            results.append(row)
    finally:
        for proc in servers:
            proc.terminate()
        for proc in servers:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    return results


# --- report -------------------------------------------------------------------------------------
def versions() -> dict[str, Any]:
    import django

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    granian = subprocess.run(
        [str(Path(PY).with_name("granian")), "--version"], capture_output=True, text=True
    ).stdout.strip()
    return {
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
        "granian": granian,
        "cpu": cpu,
        "cpus": os.cpu_count(),
    }


def print_table(micro_rows: list[dict[str, Any]], http_rows: list[dict[str, Any]]) -> None:
    if micro_rows:
        print("\nDB-only (median of warm runs, per query)")
        print(f"  {'operation':42s} {'ORM ms':>8s} {'raw ms':>8s} {'ratio':>6s}")
        for m in micro_rows:
            print(f"  {m['op']:42s} {m['orm_ms']:8.3f} {m['raw_ms']:8.3f} {m['ratio']:6.2f}")
            if m["count_mismatches"]:
                print(f"    platform and floor disagree on: {m['count_mismatches']}")
    if http_rows:
        print(
            f"\nHTTP (wrk, {config.CONNECTIONS} connections, {config.DURATION_SECONDS} s; ratio = floor req/s ÷ platform req/s)"
        )
        head = f"  {'operation':18s} {'side':8s} {'req/s':>9s} {'p50':>7s} {'p95':>7s} {'p99':>7s} {'non2xx':>7s} {'ratio':>6s}  target"
        print(head)
        for row in http_rows:
            for side in ("platform", "floor"):
                s = row[side]
                ratio = f"{row['ratio']:6.2f}" if side == "platform" and row["ratio"] else ""
                target = row["target"] if side == "platform" else ""
                print(
                    f"  {row['op']:18s} {side:8s} {s['rps']:9.1f} {s['p50_ms']:7.2f} {s['p95_ms']:7.2f}"
                    f" {s['p99_ms']:7.2f} {s['non_2xx']:7d} {ratio:>6s}  {target}"
                )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--size", default="city", choices=["city", "province", "national"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the bench database")
    parser.add_argument("--db", type=Path, help="use this SQLite file instead of load_demo data")
    parser.add_argument("--only", nargs="*", help="HTTP operations to run (names in config)")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--no-micro", action="store_true")
    parser.add_argument("--duration", type=int, default=config.DURATION_SECONDS)
    args = parser.parse_args(argv)
    config.DURATION_SECONDS = args.duration

    db_path = args.db.resolve() if args.db else ensure_data(args.size, args.seed, args.rebuild)
    env = django_env(db_path)
    os.environ.update(env)
    sys.path.insert(0, str(config.ROOT))
    ensure_static(env)
    samples = prepare(db_path)
    print(
        f"{samples['organizations']} organisations in scope {samples['scope_prefix']}; "
        f"{len(samples['search3'])}+{len(samples['search2'])} search terms, "
        f"{len(samples['pk'])} pks, {len(samples['region'])} regions"
    )
    micro_rows = [] if args.no_micro else micro(db_path, samples)
    from django.db import connections

    connections.close_all()
    ops = [op for op in config.HTTP_OPS if not args.only or op.name in args.only]
    http_rows = [] if args.no_http else http(samples, env, ops)
    print_table(micro_rows, http_rows)

    config.RESULTS.mkdir(parents=True, exist_ok=True)
    out = config.RESULTS / f"{dt.date.today().isoformat()}-{args.size}.json"
    out.write_text(
        json.dumps(
            {
                "size": args.size,
                "seed": args.seed,
                "database": str(db_path),
                "when": dt.datetime.now().isoformat(timespec="seconds"),
                "versions": versions(),
                "load": {
                    "connections": config.CONNECTIONS,
                    "wrk_threads": config.WRK_THREADS,
                    "warmup_s": config.WARMUP_SECONDS,
                    "duration_s": config.DURATION_SECONDS,
                    "server_workers": config.SERVER_WORKERS,
                },
                "micro": micro_rows,
                "http": http_rows,
            },
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    print(f"\nsaved {out.relative_to(config.ROOT)}")
    bad = [r["op"] for r in http_rows for s in ("platform", "floor") if r[s]["non_2xx"]]
    if bad:
        print(f"non-2xx responses in: {', '.join(sorted(set(bad)))}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
