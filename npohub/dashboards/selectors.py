"""Reads for the region drill-down dashboard. Only rollups and regions are read, never the
organisations table (performance.md §0 point 3 and §3).

The four reads are plain SQL through the connection's cursor (``_Statements``: identifiers from
model metadata, quoted by the backend, every value a ``%s`` parameter, so the same text runs on
SQLite and PostgreSQL). Three are indexed lookups of well under 0.1 ms; building them with the
ORM cost 0.3–0.5 ms apiece, more than the page's whole SQL time for most regions.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from npohub.accounts.models import Viewer
from npohub.core.errors import NotFound
from npohub.credit.models import CreditList
from npohub.credit.selectors import on_list_now
from npohub.orgs.models import CLOSED_STATUSES, Kind, OrgRollup, Status
from npohub.orgs.scope import scope_of
from npohub.regions.codes import ancestors, is_valid, pad
from npohub.regions.models import PREFIX_LENGTH, Level, Region, UrbanRural, UrbanRuralSource

from .permissions import can_view_region_dashboard, can_view_region_dashboards

KINDS: tuple[str, ...] = tuple(Kind.values)
STATUSES: tuple[str, ...] = tuple(Status.values)
# Filed groups that still exist: active, abnormal or suspended (closed ones no longer count).
OPEN_STATUSES: tuple[str, ...] = tuple(s for s in Status.values if s not in CLOSED_STATUSES)


@dataclass
class Counts:
    """Organisation counts of one region by kind × status."""

    cells: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, kind: str, status: str, count: int) -> None:
        self.cells[(kind, status)] = self.cells.get((kind, status), 0) + count

    def get(self, kind: str, status: str) -> int:
        return self.cells.get((kind, status), 0)

    def kind_total(self, kind: str) -> int:
        return sum(n for (k, _status), n in self.cells.items() if k == kind)

    def status_total(self, status: str) -> int:
        return sum(n for (_kind, s), n in self.cells.items() if s == status)

    @property
    def total(self) -> int:
        return sum(self.cells.values())

    @property
    def registered(self) -> int:
        return self.total - self.kind_total(Kind.COMMUNITY_GROUP)

    @property
    def open_registered(self) -> int:
        """Registered organisations that still exist (not deregistered or revoked): the figure
        the portal's city total also gives (both leave out ``CLOSED_STATUSES``)."""
        return sum(
            n
            for (k, s), n in self.cells.items()
            if k != Kind.COMMUNITY_GROUP and s not in CLOSED_STATUSES
        )

    @property
    def open_groups(self) -> int:
        return sum(self.get(Kind.COMMUNITY_GROUP, s) for s in OPEN_STATUSES)

    def with_abnormal_list(self, listed: Counts) -> Counts:
        """活动异常 as the public 活动异常名录 counts it (``credit.selectors.on_list_now``): the
        organisations on the list move into 活动异常 from the status the registry holds for
        them, and those the registry marks 活动异常 without being on the list count as 正常.
        ``listed`` holds the listed organisations by kind and registry status. Totals by kind
        do not change."""
        result = Counts(dict(self.cells))
        cells = result.cells
        for kind in {k for k, _s in self.cells} | {k for k, _s in listed.cells}:
            # registered 活动异常 but not on the list: 正常
            unlisted = self.get(kind, Status.ABNORMAL) - listed.get(kind, Status.ABNORMAL)
            cells[(kind, Status.ACTIVE)] = self.get(kind, Status.ACTIVE) + unlisted
            cells[(kind, Status.ABNORMAL)] = listed.get(kind, Status.ABNORMAL)
            # on the list with another status: moved into 活动异常
            for status in STATUSES:
                if status != Status.ABNORMAL:
                    moved = listed.get(kind, status)
                    cells[(kind, status)] = cells.get((kind, status), 0) - moved
                    cells[(kind, Status.ABNORMAL)] += moved
        return result

    def by_kind(self) -> list[int]:
        return [self.kind_total(k) for k in KINDS]

    def by_status(self) -> list[int]:
        return [self.status_total(s) for s in STATUSES]

    def minus(self, other: Counts) -> Counts:
        result = Counts(dict(self.cells))
        for key, n in other.cells.items():
            result.cells[key] = result.cells.get(key, 0) - n
        return result


def _average(groups: int, communities: int) -> Decimal | None:
    if not communities:
        return None
    return (Decimal(groups) / Decimal(communities)).quantize(Decimal("0.1"), ROUND_DOWN)


@dataclass
class Coverage:
    """Filed community groups per urban and per rural community, against the plan's targets."""

    urban_communities: int = 0
    urban_groups: int = 0
    urban_below: int = 0
    rural_communities: int = 0
    rural_groups: int = 0
    rural_below: int = 0
    unknown_communities: int = 0
    unknown_groups: int = 0
    inferred_communities: int = 0

    def add(self, urban_rural: str, row: dict[str, Any]) -> None:
        communities, groups, below = row["communities"], row["groups"] or 0, row["below"] or 0
        if urban_rural == UrbanRural.URBAN:
            self.urban_communities += communities
            self.urban_groups += groups
            self.urban_below += below
        elif urban_rural == UrbanRural.RURAL:
            self.rural_communities += communities
            self.rural_groups += groups
            self.rural_below += below
        else:
            self.unknown_communities += communities
            self.unknown_groups += groups
        self.inferred_communities += row["inferred"] or 0

    def merge(self, other: Coverage) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def urban_target(self) -> int:
        return int(settings.NPOHUB_TARGET_GROUPS_PER_URBAN_COMMUNITY)

    @property
    def rural_target(self) -> int:
        return int(settings.NPOHUB_TARGET_GROUPS_PER_RURAL_COMMUNITY)

    @property
    def urban_average(self) -> Decimal | None:
        return _average(self.urban_groups, self.urban_communities)

    @property
    def rural_average(self) -> Decimal | None:
        return _average(self.rural_groups, self.rural_communities)

    @property
    def urban_met(self) -> bool | None:
        """Whether the unrounded urban average reaches the target; None without urban communities."""
        if not self.urban_communities:
            return None
        return self.urban_groups >= self.urban_target * self.urban_communities

    @property
    def rural_met(self) -> bool | None:
        if not self.rural_communities:
            return None
        return self.rural_groups >= self.rural_target * self.rural_communities

    @property
    def communities(self) -> int:
        return self.urban_communities + self.rural_communities + self.unknown_communities

    @property
    def below(self) -> int:
        return self.urban_below + self.rural_below


@dataclass
class ChildRow:
    """One child region (or the remainder recorded at the parent's own level) on the page."""

    code: str
    name: str
    counts: Counts
    coverage: Coverage
    # "child": a live child region; "retired": rollup rows under a code with no active region;
    # "direct": organisations whose address stops at the parent's own level.
    row_type: str = "child"


@dataclass
class RegionDashboard:
    region: Region
    breadcrumb: list[Region]
    counts: Counts
    coverage: Coverage
    children: list[ChildRow]
    child_level: int | None


def _range(prefix: str) -> tuple[str, str]:
    """The 12-digit code range of a subtree: a B-tree range on both engines (LIKE is not)."""
    return prefix.ljust(12, "0"), prefix.ljust(12, "9")


def _fetchall(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


# The region fields the page uses, in model order (``Model.from_db`` fills the rest as deferred:
# reading another field of these instances costs one query, it never gives a wrong value).
_REGION_FIELDS = [
    f for f in Region._meta.concrete_fields if f.name in ("id", "code", "name", "level", "parent")
]
_REGION_ATTNAMES = [f.attname for f in _REGION_FIELDS]


class _Statements:
    """The dashboard's SQL for one database backend, built once from model metadata.

    Identifiers come from the models and are quoted by the backend; every value is a parameter.
    """

    def __init__(self, quote: Callable[[str], str]) -> None:
        def column(model: Any, name: str) -> str:
            return quote(model._meta.get_field(name).column)

        region, rollup = quote(Region._meta.db_table), quote(OrgRollup._meta.db_table)
        region_columns = ", ".join(quote(f.column) for f in _REGION_FIELDS)
        active, code = column(Region, "is_active"), column(Region, "code")
        # + "(%s, …)" with one mark per code
        self.regions_by_code = (
            f"SELECT {region_columns} FROM {region} WHERE {active} = %s AND {code} IN "
        )
        self.children = (
            f"SELECT {code}, {column(Region, 'name')} FROM {region} "
            f"WHERE {column(Region, 'parent')} = %s AND {active} = %s ORDER BY {code}"
        )
        level, region_code = column(OrgRollup, "level"), column(OrgRollup, "region_code")
        rollup_columns = ", ".join(
            column(OrgRollup, name) for name in ("region_code", "kind", "status", "count")
        )
        self.counts_own = (
            f"SELECT {rollup_columns} FROM {rollup} WHERE ({level} = %s AND {region_code} = %s)"
        )
        self.counts_with_children = (
            f"{self.counts_own} OR ({level} = %s AND {region_code} BETWEEN %s AND %s)"
        )
        open_marks = ", ".join(["%s"] * len(OPEN_STATUSES))
        # The per-community total is computed once in a derived table (a correlated subquery
        # would run once per use); ``GROUP BY 1, 2`` because PostgreSQL does not match two
        # ``substr(%s)``.
        self.coverage = f"""
        SELECT substr(r.code, 1, %s) AS child, r.urban_rural,
               COUNT(*) AS communities,
               SUM(COALESCE(g.total, 0)) AS groups,
               SUM(CASE WHEN r.urban_rural = %s AND COALESCE(g.total, 0) < %s THEN 1
                        WHEN r.urban_rural = %s AND COALESCE(g.total, 0) < %s THEN 1
                        ELSE 0 END) AS below,
               SUM(CASE WHEN r.urban_rural_source = %s THEN 1 ELSE 0 END) AS inferred
        FROM {region} r
        LEFT JOIN (
            SELECT region_code, SUM({quote("count")}) AS total FROM {rollup}
            WHERE level = %s AND kind = %s AND status IN ({open_marks})
              AND region_code BETWEEN %s AND %s
            GROUP BY region_code
        ) g ON g.region_code = r.code
        WHERE r.is_active = %s AND r.level = %s AND r.code BETWEEN %s AND %s
        GROUP BY 1, 2
        """


@functools.cache
def _statements_for(vendor: str) -> _Statements:
    return _Statements(connection.ops.quote_name)


def _sql() -> _Statements:
    return _statements_for(connection.vendor)


def dashboard_root_code(user: Viewer) -> str:
    """The region a user's dashboard opens on: their scope root, or the city for superusers."""
    if not can_view_region_dashboards(user):
        raise NotFound(_("页面不存在"))
    scope = scope_of(user)
    if scope.has_region:
        return pad(scope.prefix)
    return pad(settings.NPOHUB_CITY_CODE)


def _region_and_breadcrumb(user: Viewer, code: str) -> tuple[Region, list[Region]]:
    """The region and its ancestors inside the user's scope, top first (one query)."""
    chain = [c for _level, c in ancestors(code)]
    sql = _sql().regions_by_code + "(" + ", ".join(["%s"] * len(chain)) + ")"
    rows = _fetchall(sql, [True, *chain])
    regions = [Region.from_db(connection.alias, _REGION_ATTNAMES, row) for row in rows]
    found = {r.code: r for r in regions}
    region = found.get(code)
    if region is None:
        raise NotFound(_("区划不存在"))
    scope = scope_of(user)
    root = "" if scope.everything else scope.prefix
    breadcrumb = [found[c] for c in chain if c in found and c.startswith(root)]
    return region, breadcrumb


def _children(region: Region) -> list[tuple[str, str]]:
    """(code, name) of the region's active children, by code (one query)."""
    return [(code, name) for code, name in _fetchall(_sql().children, [region.pk, True])]


def _counts(region: Region) -> dict[str, Counts]:
    """Counts by kind × status of the region and each child code, from the rollup (one query)."""
    if region.level < Level.VILLAGE:
        sql = _sql().counts_with_children
        params = [region.level, region.code, region.level + 1, *_range(region.prefix)]
    else:
        sql, params = _sql().counts_own, [region.level, region.code]
    result: dict[str, Counts] = defaultdict(Counts)
    for region_code, kind, status, count in _fetchall(sql, params):
        result[region_code].add(kind, status, count)
    return result


def abnormal_listed(region: Region) -> tuple[Counts, dict[str, Counts]]:
    """The organisations on the 活动异常名录 now (``on_list_now``, the public list's definition)
    by kind and registry status: for the whole region, and by child region (one query, as many
    rows as listed organisations; grouped here, which costs less than the ORM's GROUP BY)."""
    child_level = min(region.level + 1, Level.VILLAGE)
    length = PREFIX_LENGTH[Level(child_level)]
    rows = (
        on_list_now(CreditList.ABNORMAL, region_prefix=region.prefix)
        .values_list(
            "organization_id",
            "organization__address_code",
            "organization__kind",
            "organization__status",
        )
        .order_by()
    )
    total = Counts()
    by_child: dict[str, Counts] = defaultdict(Counts)
    for _org, address_code, kind, status in {row[0]: row for row in rows}.values():
        total.add(kind, status, 1)
        code = address_code[:length].ljust(12, "0")
        if code != region.code:  # what stops at the region's own level has no child row
            by_child[code].add(kind, status, 1)
    return total, by_child


def community_group_coverage(region: Region) -> dict[str, Coverage]:
    """Open filed groups per urban/rural community, grouped by child region (one aggregate SQL).

    Reads the level-5 rows of ``OrgRollup`` (one per community × kind × status) joined to the
    level-5 regions of the subtree, grouped by the child's code prefix (``substr``) and the
    urban/rural flag. For a city that is ~6 k communities: a few milliseconds on SQLite
    (performance.md §3.2, "city KPI: coverage per street", 11–14 ms).

    National scale plan: a province (~100 k communities) or the nation (~620 k) makes this
    query cost seconds (§3.2 "national KPI", 1.5–4 s). There the page reads a coverage rollup
    instead: ``CoverageRollup(region_code, level, urban_rural, communities, groups, below_target,
    inferred)`` with one row per region of every level, kept current in the same transaction as
    ``OrgRollup`` (a filing changes ``groups`` along the 5 ancestors and flips ``below_target``
    when the community crosses its target; an urban/rural correction moves one community between
    rows) and rebuilt nightly from this same query run per province. The page then reads the
    region's and its children's rows by code range, like ``_counts``, in under 1 ms.
    """
    child_level = min(region.level + 1, Level.VILLAGE)
    low, high = _range(region.prefix)
    params: list[Any] = [
        PREFIX_LENGTH[Level(child_level)],
        UrbanRural.URBAN,
        settings.NPOHUB_TARGET_GROUPS_PER_URBAN_COMMUNITY,
        UrbanRural.RURAL,
        settings.NPOHUB_TARGET_GROUPS_PER_RURAL_COMMUNITY,
        UrbanRuralSource.INFERRED,
        Level.VILLAGE,
        Kind.COMMUNITY_GROUP,
        *OPEN_STATUSES,
        low,
        high,
        True,
        Level.VILLAGE,
        low,
        high,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_sql().coverage, params)
        columns = [col[0] for col in cursor.description]
        rows = [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()]
    result: dict[str, Coverage] = defaultdict(Coverage)
    for row in rows:
        result[row["child"].ljust(12, "0")].add(row["urban_rural"], row)
    return result


def region_dashboard_for(user: Viewer, code: str | None = None) -> RegionDashboard:
    """The dashboard of one region inside the user's scope, or NotFound (5 queries)."""
    code = dashboard_root_code(user) if code is None else code
    if not is_valid(code) or not can_view_region_dashboard(user, pad(code)):
        raise NotFound(_("区划不存在"))
    region, breadcrumb = _region_and_breadcrumb(user, pad(code))
    children = _children(region) if region.level < Level.VILLAGE else []
    counts = _counts(region)
    listed, listed_by_child = abnormal_listed(region)
    counts = {
        code: c.with_abnormal_list(listed if code == region.code else listed_by_child[code])
        for code, c in counts.items()
    }
    coverage = community_group_coverage(region)
    own = counts.get(region.code, Counts())
    rows = _child_rows(region, children, counts, coverage)
    total_coverage = Coverage()
    for cov in coverage.values():
        total_coverage.merge(cov)
    return RegionDashboard(
        region=region,
        breadcrumb=breadcrumb,
        counts=own,
        coverage=total_coverage,
        children=rows,
        child_level=region.level + 1 if region.level < Level.VILLAGE else None,
    )


def _child_rows(
    region: Region,
    children: list[tuple[str, str]],
    counts: dict[str, Counts],
    coverage: dict[str, Coverage],
) -> list[ChildRow]:
    """One row per child, then rows for retired codes and for what stops at the region itself."""
    if region.level >= Level.VILLAGE:
        return []
    rows = [
        ChildRow(
            code=code,
            name=name,
            counts=counts.get(code, Counts()),
            coverage=coverage.get(code, Coverage()),
        )
        for code, name in children
    ]
    known = {code for code, _name in children} | {region.code}
    for code in sorted(set(counts) | set(coverage)):
        if code not in known:
            rows.append(
                ChildRow(
                    code=code,
                    name=code,
                    counts=counts.get(code, Counts()),
                    coverage=coverage.get(code, Coverage()),
                    row_type="retired",
                )
            )
    placed = Counts()
    for row in rows:
        for (kind, status), n in row.counts.cells.items():
            placed.add(kind, status, n)
    direct = counts.get(region.code, Counts()).minus(placed)
    if any(direct.cells.values()):
        rows.append(
            ChildRow(
                code=region.code, name="", counts=direct, coverage=Coverage(), row_type="direct"
            )
        )
    return rows
