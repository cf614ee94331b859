"""Everything the lead may want to adjust lives here: endpoints, load shape, ports, paths.

Each HTTP operation names the platform URL and the floor URL; ``{q}``, ``{pk}`` and ``{code}``
are filled from samples drawn from the bench database (see ``prepare.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "results"


@dataclass(frozen=True)
class HttpOp:
    name: str
    platform: str  # path template on the platform (config.wsgi with bench.settings)
    floor: str  # path template on the bare WSGI floor (bench/floor.py)
    samples: str  # which sample list fills the template: "search3", "search2", "pk", "region"
    target: str  # the goal from performance.md §7.3, printed beside the result


HTTP_OPS: list[HttpOp] = [
    HttpOp(
        "search_3char",
        "/api/v1/organizations/?q={q}",
        "/search?q={q}",
        "search3",
        ">=1500 req/s, p95<=25 ms, ratio<=8",
    ),
    HttpOp(
        "search_2char",
        "/api/v1/organizations/?q={q}",
        "/search?q={q}",
        "search2",
        "p95<=60 ms, ratio<=8",
    ),
    HttpOp(
        "org_detail",
        "/orgs/{pk}/",
        "/org/{pk}",
        "pk",
        ">=2500 req/s, p95<=15 ms, p99<=30 ms, ratio<=8",
    ),
    HttpOp(
        "region_dashboard",
        "/dashboards/regions/{code}/",
        "/dashboard/{code}",
        "region",
        ">=1500 req/s, p95<=20 ms",
    ),
]

# Load shape (performance.md §7.2): wrk, 16 connections, short warm-up, then the timed run.
CONNECTIONS = 16
WRK_THREADS = 2
WARMUP_SECONDS = 2
DURATION_SECONDS = 8
SERVER_WORKERS = 2  # granian WSGI workers, for both the platform and the floor

HOST = "127.0.0.1"
PLATFORM_PORT = 8761
FLOOR_PORT = 8762

# Samples drawn deterministically from the data (seeded).
SAMPLE_SEED = 20240501
SEARCH_SAMPLES = 60
PK_SAMPLES = 2000
REGION_SAMPLES = 200

# DB-only micro-benchmarks: median of this many warm runs (plus one cold run).
MICRO_RUNS = 5

BENCH_USERNAME = "bench-city"
BENCH_SECRET_KEY = "bench-only-secret-key-not-for-production-0123456789abcdef"
