"""Rebuild ``OrgRollup`` from the base table: one GROUP BY per level, portable SQL.

The services keep the rollup current incrementally (``services.rollup_apply``); this full
recount runs after bulk loads and nightly (``manage.py rebuild_org_rollups``). An
organisation counts at every level down to its address code's own level, exactly as
``rollup_apply`` does incrementally (a district-level address never counts for a street).
"""

from __future__ import annotations

from django.db import connection, transaction

from npohub.orgs.models import Organization, OrgRollup

# (level, significant digits of the code at that level)
_LEVELS = ((1, 2), (2, 4), (3, 6), (4, 9), (5, 12))


def rebuild_org_rollups(*, prefix: str = "") -> int:
    """Recount every (region, kind, status) from ``orgs_organization``; returns rows written.

    With ``prefix``, only regions inside that code prefix (and their counts) are rebuilt; a
    prefix must be a whole level (2, 4, 6, 9 or 12 digits) and its ancestors are not touched.
    """
    org = connection.ops.quote_name(Organization._meta.db_table)
    rollup = connection.ops.quote_name(OrgRollup._meta.db_table)
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if prefix:
            cursor.execute(f"DELETE FROM {rollup} WHERE region_code LIKE %s", [prefix + "%"])
        else:
            cursor.execute(f"DELETE FROM {rollup}")
        previous = 0
        for level, digits in _LEVELS:
            if prefix and digits < len(prefix):
                previous = digits
                continue
            zeros = "0" * (12 - digits)
            # Rows whose address lies at this level or deeper: some non-zero digit after the
            # parent level's prefix (level 1 takes every well-formed code).
            deep = "" if previous == 0 else f" AND substr(address_code, {previous + 1}) <> %s"
            params: list[str] = [] if previous == 0 else ["0" * (12 - previous)]
            scope = ""
            if prefix:
                scope = " AND address_code LIKE %s"
                params.append(prefix + "%")
            cursor.execute(
                f"INSERT INTO {rollup} (region_code, level, kind, status, count) "
                f"SELECT substr(address_code, 1, {digits}) || '{zeros}', {level}, kind, status, "
                f"COUNT(*) FROM {org} "
                f"WHERE length(address_code) = 12{deep}{scope} "
                f"GROUP BY substr(address_code, 1, {digits}), kind, status",
                params,
            )
            written += max(cursor.rowcount, 0)
            previous = digits
    return written
