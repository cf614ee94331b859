"""The HTTP floor: a bare WSGI app answering the benchmarked requests through raw ``sqlite3``.

Same database file, same server (granian, same worker count), same statements as the platform
(search through the same FTS5 / doc-table index, the same scope condition, count + page of 20;
the detail row with its joins; the dashboard's rollup rows and coverage KPI), JSON out. What the
platform costs above this is framework, ORM, serialisation and template time:
``ratio = platform / floor``.

Environment: ``BENCH_DB`` (SQLite path), ``BENCH_SCOPE`` (address-code prefix of the bench user),
``BENCH_USER_ID`` (the bench user, for its organisation grants).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
from typing import Any
from urllib.parse import parse_qs

PRAGMAS = (
    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=20000;"
    "PRAGMA temp_store=MEMORY;PRAGMA cache_size=-64000;PRAGMA mmap_size=268435456;"
)
_local = threading.local()
LEVEL_DIGITS = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def db() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(os.environ["BENCH_DB"], check_same_thread=False)
        conn.executescript(PRAGMAS)
        _local.conn = conn
    return conn


def term_sql(term: str) -> tuple[str, list[str]]:
    """The index subquery of one term (mirrors npohub.orgs.search on SQLite)."""
    needle = term.translate(_ASCII_LOWER)
    if len(needle) >= 3:
        sql = "SELECT rowid FROM orgs_search_fts WHERE orgs_search_fts MATCH ?"
        params = ['"' + needle.replace('"', '""') + '"']
    elif all(not ch.isascii() or ch.isalnum() for ch in needle):
        sql = "SELECT rowid FROM orgs_search_bi WHERE orgs_search_bi MATCH ?"
        params = ['"' + needle + '"' + ("*" if len(needle) == 1 else "")]
    else:
        sql = "SELECT org_id FROM orgs_search_doc WHERE instr(body, ?) > 0"
        params = [needle]
    return sql, params


def search(query: str) -> dict[str, Any]:
    """Count + first page of 20, in the bench user's scope, exactly as the selectors build it:
    granted organisations, or located in the scope, or registered by an authority in it."""
    scope = os.environ.get("BENCH_SCOPE", "")
    today = dt.date.today().isoformat()
    where = [
        "(o.id IN (SELECT organization_id FROM orgs_organizationaccess WHERE user_id = ?"
        " AND (valid_from IS NULL OR valid_from <= ?) AND (valid_until IS NULL OR valid_until >= ?))"
        " OR o.address_code LIKE ? OR ra.code LIKE ?)"
    ]
    params: list[Any] = [int(os.environ.get("BENCH_USER_ID", "0")), today, today]
    params += [scope + "%", scope + "%"]
    for term in list(dict.fromkeys(query.split()))[:5]:
        sql, term_params = term_sql(term[:60])
        where.append(f"o.id IN ({sql})")
        params += term_params
    clause = " AND ".join(where)
    # The registry's relevance order (npohub.orgs.search.order_by_relevance, for the Chinese
    # terms the bench samples): exact name, name prefix, registered, filed; then pinyin.
    terms = list(dict.fromkeys(query.split()))[:5]
    first = terms[0][:60] if terms else ""
    order = (
        "CASE WHEN o.name = ? THEN 0 WHEN substr(o.name, 1, ?) = ? THEN 1"
        " WHEN o.kind <> 'community_group' THEN 2 ELSE 3 END, o.name_pinyin, o.name, o.id"
    )
    order_params = [" ".join(t[:60] for t in terms), len(first), first]
    joins = " LEFT JOIN regions_region ra ON ra.id = o.authority_region_id"
    conn = db()
    total = conn.execute(
        f"SELECT COUNT(*) FROM orgs_organization o{joins} WHERE {clause}", params
    ).fetchone()[0]
    cur = conn.execute(
        "SELECT o.*, c.code AS category_code, c.name AS category_name, r.name AS community_name"
        f" FROM orgs_organization o{joins} LEFT JOIN orgs_category c ON c.id = o.category_id"
        " LEFT JOIN regions_region r ON r.id = o.community_id"
        f" WHERE {clause} ORDER BY {order} LIMIT 20",
        params + order_params,
    )
    names = [d[0] for d in cur.description]
    keys = [
        "id",
        "name",
        "uscc",
        "kind",
        "status",
        "management_level",
        "address_code",
        "registration_date",
        "category_code",
        "category_name",
        "community_name",
    ]
    results = []
    for row in cur.fetchall():
        record = dict(zip(names, row, strict=True))
        results.append({key: record[key] for key in keys})
    return {"count": total, "next": None, "results": results}


def detail(pk: int) -> dict[str, Any] | None:
    cur = db().execute(
        "SELECT o.*, c.name AS category_name, r.name AS community_name,"
        " a.name AS authority_name, p.name AS person_name"
        " FROM orgs_organization o LEFT JOIN orgs_category c ON c.id = o.category_id"
        " LEFT JOIN regions_region r ON r.id = o.community_id"
        " LEFT JOIN regions_region a ON a.id = o.authority_region_id"
        " LEFT JOIN orgs_person p ON p.id = o.legal_representative_id WHERE o.id = ?",
        (pk,),
    )
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cur.description], row, strict=False))


# The region dashboard's coverage KPI (npohub.dashboards.selectors.community_group_coverage):
# open filed groups per urban/rural community of the subtree, grouped by child region.
COVERAGE_SQL = """
    SELECT substr(r.code, 1, ?) AS child, r.urban_rural,
           COUNT(*) AS communities,
           SUM(COALESCE(g.total, 0)) AS groups,
           SUM(CASE WHEN r.urban_rural = ? AND COALESCE(g.total, 0) < ? THEN 1
                    WHEN r.urban_rural = ? AND COALESCE(g.total, 0) < ? THEN 1
                    ELSE 0 END) AS below,
           SUM(CASE WHEN r.urban_rural_source = ? THEN 1 ELSE 0 END) AS inferred
    FROM "regions_region" r
    LEFT JOIN (
        SELECT region_code, SUM("count") AS total FROM "orgs_orgrollup"
        WHERE level = ? AND kind = ? AND status IN (?, ?, ?)
          AND region_code BETWEEN ? AND ?
        GROUP BY region_code
    ) g ON g.region_code = r.code
    WHERE r.is_active = ? AND r.level = ? AND r.code BETWEEN ? AND ?
    GROUP BY 1, 2
"""
TARGET_URBAN = int(os.environ.get("NPOHUB_TARGET_URBAN") or 15)
TARGET_RURAL = int(os.environ.get("NPOHUB_TARGET_RURAL") or 8)


def dashboard(code: str) -> dict[str, Any] | None:
    conn = db()
    region = conn.execute(
        "SELECT id, code, name, level FROM regions_region WHERE code = ? AND is_active = 1",
        (code,),
    ).fetchone()
    if region is None:
        return None
    prefix = code[: LEVEL_DIGITS.get(region[3], 12)]
    rollups = conn.execute(
        "SELECT region_code, kind, status, count FROM orgs_orgrollup"
        " WHERE level IN (?, ?) AND region_code >= ? AND region_code < ?",
        (region[3], region[3] + 1, prefix, prefix + ":"),
    ).fetchall()
    children = conn.execute(
        "SELECT code, name FROM regions_region WHERE parent_id = ? AND is_active = 1 ORDER BY code",
        (region[0],),
    ).fetchall()
    low, high = prefix.ljust(12, "0"), prefix.ljust(12, "9")
    coverage = conn.execute(
        COVERAGE_SQL,
        (
            LEVEL_DIGITS[min(region[3] + 1, 5)],
            "urban",
            TARGET_URBAN,
            "rural",
            TARGET_RURAL,
            "inferred",
            5,
            "community_group",
            "active",
            "abnormal",
            "suspended",
            low,
            high,
            True,
            5,
            low,
            high,
        ),
    ).fetchall()
    return {"region": region[1:], "children": children, "rollups": rollups, "coverage": coverage}


def _json(start_response: Any, status: str, payload: Any) -> list[bytes]:
    body = json.dumps(payload, ensure_ascii=False, default=str).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def application(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    path = environ.get("PATH_INFO", "")
    if path == "/ping":
        return _json(start_response, "200 OK", {"ok": True})
    if path == "/search":
        query = parse_qs(environ.get("QUERY_STRING", "")).get("q", [""])[0]
        return _json(start_response, "200 OK", search(query))
    parts = path.strip("/").split("/")
    if len(parts) == 2 and parts[0] == "org" and parts[1].isdigit():
        found = detail(int(parts[1]))
    elif len(parts) == 2 and parts[0] == "dashboard":
        found = dashboard(parts[1])
    else:
        found = None
    if found is None:
        return _json(start_response, "404 Not Found", {"code": "not_found"})
    return _json(start_response, "200 OK", found)
