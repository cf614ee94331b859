"""``python -m bench.soak --duration 600``: mixed traffic against the platform for a while.

1. Data: ``var/bench/soak-city-seed<N>[-scale<S>].sqlite3``, built once like ``make demo``
   (migrate, ``load_demo``, then every ``demo_*`` command of the Makefile's ``demo`` target, in
   its order), then reused (``--rebuild`` builds it again).
2. Callers: the bench city-bureau session (``bench.run.prepare``) and a bearer token of the demo
   organisation user (``org``) for its annual report; samples drawn with a fixed seed.
3. Traffic: one granian server (production settings, 2 workers, loopback only) and wrk
   (``bench/wrk.lua``) cycling through a shuffled mix of requests, weighted as in ``MIX``:
   registry search (API and page), organisation detail pages, region dashboards, API lists,
   and the organisation saving a section of its annual report (``PUT …/sections/<s>``, the same
   values again: each write replaces the last, so a long soak adds audit rows, not reports).
4. Bounded: ``--duration`` seconds (default 600) with ``--connections`` connections (default
   8); wrk's socket timeout is 10 s. Prints req/s, non-2xx and socket errors, p50/p95/p99, and
   the status of a first request of each kind; exits 1 when any answer was not 2xx. JSON to
   ``bench/results/<date>-soak.json``; the server log in ``var/bench/run/soak-platform.log``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

from . import config
from .run import django_env, ensure_static, manage, prepare, start_server, versions

SOAK_PORT = 8763
# kind → (weight in the mix, how many distinct requests of it to cycle through)
MIX = {
    "search_api": 3,
    "search_page": 1,
    "org_detail": 3,
    "dashboard": 2,
    "api_list": 2,
    "report_save": 1,
}
API_LISTS = [
    "/api/v1/organizations/?page={page}",
    "/api/v1/supervision/reports?page={page}",
    "/api/v1/credit/listings?page={page}",
    "/api/v1/hubs/hubs?page={page}",
    "/api/v1/inspections/plans",
    "/api/v1/enforcement/cases?page={page}",
    "/api/v1/ratings/grades?page={page}",
    "/api/v1/party/organizations?page={page}",
    "/api/v1/regions/",
]
CYCLE = 2000  # requests written to the file wrk cycles through


def soak_db_path(seed: int, scale: float) -> Path:
    suffix = "" if scale == 1.0 else f"-scale{scale:g}"
    return config.VAR / f"soak-city-seed{seed}{suffix}.sqlite3"


def demo_commands() -> list[str]:
    """The Makefile's ``demo_*`` commands in order (read as the crawler's demo reads them)."""
    pattern = re.compile(r"^\t\$\(PY\) manage\.py (demo_[a-z_]+)\s*$")
    commands: list[str] = []
    in_demo = False
    for line in (config.ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        if not line.startswith("\t"):
            in_demo = line.startswith("demo:")
        elif in_demo and (match := pattern.match(line)):
            commands.append(match.group(1))
    return ["demo_accounts", *[c for c in commands if c != "demo_accounts"]]


def ensure_data(seed: int, scale: float, rebuild: bool) -> Path:
    config.VAR.mkdir(parents=True, exist_ok=True)
    path = soak_db_path(seed, scale)
    if path.exists() and not rebuild:
        print(f"reusing {path.relative_to(config.ROOT)}")
        manage(["migrate", "--no-input", "-v", "0"], django_env(path))
        return path
    tmp = path.with_suffix(".building.sqlite3")
    for stale in config.VAR.glob(tmp.name + "*"):
        stale.unlink()
    env = django_env(tmp)
    started = time.perf_counter()
    manage(["migrate", "--no-input", "-v", "0"], env)
    manage(["load_demo", "--size", "city", "--seed", str(seed), "--scale", str(scale)], env)
    for command in demo_commands():
        manage([command, "-v", "0"], env)
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


def report_to_save() -> dict[str, Any]:
    """The demo organisation user's bearer token and one section of a report it holds (opened
    for last year when it has none), with the values it already has."""
    from django.utils import timezone

    from npohub.accounts.models import TokenScope, User
    from npohub.accounts.services import api_token_create
    from npohub.orgs.models import Organization
    from npohub.orgs.selectors import organization_visible_to
    from npohub.supervision.models import AnnualReport
    from npohub.supervision.permissions import can_edit_report
    from npohub.supervision.services import report_create

    user = User.objects.get(username="org")
    _, raw = api_token_create(
        actor=user, user=user, name="soak", scope=TokenScope.READ_WRITE, expires_in_days=7
    )
    orgs = organization_visible_to(user).filter(pk__in=Organization.objects.registered())
    orgs = orgs.order_by("pk")
    reports = AnnualReport.objects.filter(organization__in=orgs).order_by("-year", "pk")
    report = next((r for r in reports if can_edit_report(user, r).allowed), None)
    if report is None:
        year = timezone.localdate().year - 1
        for org in orgs:
            if not AnnualReport.objects.filter(organization=org, year=year).exists():
                report = report_create(actor=user, organization=org, year=year)
                break
    if report is None:
        raise SystemExit("the demo organisation user holds no annual report it may edit")
    section, values = next(
        ((code, dict(data)) for code, data in sorted(report.data.items()) if data),
        (next(iter(sorted(report.data)), "basic"), {}),
    )
    return {"token": raw, "report": report.pk, "section": section, "values": values}


def mixed_requests(samples: dict[str, Any], save: dict[str, Any], seed: int) -> list[str]:
    """``CYCLE`` request lines for wrk.lua (tab-separated: method, path, body, headers)."""
    rng = random.Random(seed)
    cookie = f"Cookie: {samples['session_cookie']}"
    bearer = f"Authorization: Bearer {save['token']}"
    body = json.dumps({"values": save["values"]}, ensure_ascii=False, separators=(",", ":"))
    report_path = f"/api/v1/supervision/reports/{save['report']}/sections/{save['section']}"
    quote = urllib.parse.quote

    def line(kind: str) -> str:
        if kind == "search_api":
            term = rng.choice(samples["search3"] + samples["search2"])
            return f"GET\t/api/v1/organizations/?q={quote(term)}\t\t{cookie}"
        if kind == "search_page":
            return f"GET\t/orgs/?q={quote(rng.choice(samples['search3']))}\t\t{cookie}"
        if kind == "org_detail":
            return f"GET\t/orgs/{rng.choice(samples['pk'])}/\t\t{cookie}"
        if kind == "dashboard":
            return f"GET\t/dashboards/regions/{rng.choice(samples['region'])}/\t\t{cookie}"
        if kind == "api_list":
            path = rng.choice(API_LISTS).format(page=rng.randint(1, 3))
            return f"GET\t{path}\t\t{cookie}"
        return f"PUT\t{report_path}\t{body}\t{bearer}\tContent-Type: application/json"

    kinds = [kind for kind, weight in MIX.items() for _ in range(weight)]
    return [line(rng.choice(kinds)) for _ in range(CYCLE)]


def soak_wrk(port: int, paths_file: Path, seconds: int, connections: int) -> dict[str, Any]:
    """One wrk run of ``seconds`` (as ``bench.run.wrk``, with a 10 s socket timeout: a slow
    answer under load is measured, not dropped)."""
    command = [
        shutil.which("wrk") or "/usr/bin/wrk",
        *("-t", str(config.WRK_THREADS), "-c", str(connections), "-d", f"{seconds}s"),
        *("--timeout", "10s", "--latency", "-s", str(config.ROOT / "bench" / "wrk.lua")),
        f"http://{config.HOST}:{port}",
        *("--", str(paths_file)),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("WRKJSON "))
    raw = json.loads(line[len("WRKJSON ") :])
    seconds_run = raw["duration_us"] / 1e6
    return {
        "rps": round(raw["requests"] / seconds_run, 1),
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "requests": raw["requests"],
        "non_2xx": raw["non_2xx"],
        "socket_errors": raw["socket_errors"],
    }


def first_statuses(lines: list[str], port: int) -> dict[str, int]:
    """The status of the first request of each method and path shape (a wrong URL or role
    shows here before the soak counts it thousands of times)."""
    import urllib.error
    import urllib.request

    seen: dict[str, int] = {}
    for text in lines:
        method, path, body, *headers = text.split("\t")
        shape = f"{method} {re.sub(r'[0-9]+', '<n>', path.split('?')[0])}"
        if shape in seen:
            continue
        request = urllib.request.Request(
            f"http://{config.HOST}:{port}{path}", data=body.encode() or None, method=method
        )
        for header in headers:
            name, value = header.split(": ", 1)
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - local
                seen[shape] = int(response.status)
        except urllib.error.HTTPError as exc:
            seen[shape] = int(exc.code)
    return seen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--duration", type=int, default=600, help="seconds of load (600)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0, help="demo size (1.0 = the city)")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--db", type=Path, help="a migrated SQLite file with the whole demo")
    args = parser.parse_args(argv)
    if not 1 <= args.duration <= 3600 or not 1 <= args.connections <= 64:
        parser.error("--duration 1..3600 s, --connections 1..64")

    db_path = args.db.resolve() if args.db else ensure_data(args.seed, args.scale, args.rebuild)
    env = django_env(db_path)
    os.environ.update(env)
    sys.path.insert(0, str(config.ROOT))
    ensure_static(env)
    samples = prepare(db_path)
    save = report_to_save()
    from django.db import connections

    connections.close_all()
    lines = mixed_requests(samples, save, args.seed)
    run_dir = config.VAR / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    paths_file = run_dir / "soak.txt"
    paths_file.write_text("\n".join(lines) + "\n", encoding="utf-8")

    server = start_server("config.wsgi:application", SOAK_PORT, env, run_dir / "soak-platform.log")
    try:
        firsts = first_statuses(lines, SOAK_PORT)
        for shape, status in sorted(firsts.items()):
            print(f"  first {shape}: HTTP {status}")
        print(f"soak: {args.duration} s, {args.connections} connections, {len(lines)} requests")
        started = time.monotonic()
        stats = soak_wrk(SOAK_PORT, paths_file, args.duration, args.connections)
        stats["wall_s"] = round(time.monotonic() - started, 1)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    errors = stats["non_2xx"] + stats["socket_errors"]
    print(
        f"\nsoak {args.duration} s: {stats['requests']} requests, {stats['rps']} req/s, "
        f"errors {errors} (non-2xx {stats['non_2xx']}, socket {stats['socket_errors']}), "
        f"p50 {stats['p50_ms']:.1f} ms, p95 {stats['p95_ms']:.1f} ms, "
        f"p99 {stats['p99_ms']:.1f} ms, max {stats['max_ms']:.1f} ms"
    )
    config.RESULTS.mkdir(parents=True, exist_ok=True)
    out = config.RESULTS / f"{dt.date.today().isoformat()}-soak.json"
    out.write_text(
        json.dumps(
            {
                "database": str(db_path),
                "when": dt.datetime.now().isoformat(timespec="seconds"),
                "versions": versions(),
                "duration_s": args.duration,
                "connections": args.connections,
                "mix": MIX,
                "first_statuses": firsts,
                "stats": stats,
            },
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    print(f"saved {out.relative_to(config.ROOT)}")
    return 1 if errors or any(s >= 300 for s in firsts.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
