"""Writes to the division hierarchy: yearly imports and urban-rural corrections."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import F, Max, Q, Value
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.core.audit import audit_record
from npohub.core.errors import ValidationFailed
from npohub.core.permissions import require

from .codes import ancestors, is_valid, pad
from .errors import DivisionFileError, OlderYearError
from .importing import ParsedSource, Unit, parse_source
from .models import Level, Region, RegionImport, UrbanRural, UrbanRuralSource
from .permissions import can_correct_urban_rural, can_import_regions

if TYPE_CHECKING:
    from npohub.accounts.models import User

BATCH = 5000
# Rows per multi-row INSERT on SQLite: 12 columns x 500 stays well under its 32,766 variables.
INSERT_ROWS = 500
RENAMES_IN_AUDIT = 200
STAGE_TABLE = "regions_import_stage"

# Columns written by the importer, in the order of the raw INSERT / UPDATE statements.
_DATA_COLUMNS = (
    "name",
    "level",
    "parent_id",
    "urban_rural",
    "urban_rural_source",
    "urban_rural_code",
    "is_active",
    "inactive_since",
    "first_year",
    "last_year",
)


@dataclass(slots=True)
class _Existing:
    id: int
    name: str
    parent_id: int | None
    urban_rural: str
    urban_rural_source: str
    urban_rural_code: str
    is_active: bool
    first_year: int | None
    last_year: int | None


@dataclass
class _Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    reactivated: int = 0
    renames: list[dict[str, str]] = field(default_factory=list)
    rename_count: int = 0


@dataclass
class _Writes:
    """What an import changes, decided in Python, written by an engine-specific writer."""

    gone: list[int] = field(default_factory=list)  # ids to deactivate
    # (id, code, *_DATA_COLUMNS values) of new units, parents before children
    inserts: list[tuple[Any, ...]] = field(default_factory=list)
    updates: list[tuple[Any, ...]] = field(default_factory=list)  # (*_DATA_COLUMNS values, id)
    year_only: list[int] = field(default_factory=list)  # ids only seen again this year


def region_import(
    *,
    source: Path,
    layout: str,
    year: int,
    effective_date: date,
    actor: User | None = None,
    scope_prefix: str = "",
) -> RegionImport:
    """Load one year's division file: add new units, rename changed ones, deactivate vanished
    ones (never delete, so records keep pointing at them). All or nothing."""
    if actor is not None:
        require(can_import_regions(actor))
    scope = _clean_scope(scope_prefix, source)
    started_at = timezone.now()
    parsed = parse_source(Path(source), layout)
    units = _units_in_scope(parsed, scope)
    with transaction.atomic():
        _refuse_older_year(scope, year)
        existing = _existing_rows(scope)
        tally = _Tally()
        writes = _plan_writes(units, existing, scope, year, tally)
        if connection.vendor == "postgresql":
            _write_postgresql(writes, effective_date, year)
        else:
            _write_sqlite(writes, effective_date, year)
        record = RegionImport.objects.create(
            started_at=started_at,
            finished_at=timezone.now(),
            source=str(source)[:300],
            layout=layout,
            year=year,
            effective_date=effective_date,
            scope_prefix=scope,
            created=tally.created,
            updated=tally.updated,
            deactivated=tally.deactivated,
            unchanged=tally.unchanged,
        )
        audit_record(
            actor=actor,
            kind="regions.imported",
            target=record,
            region_code=scope,
            payload={
                "source": str(source),
                "layout": layout,
                "year": year,
                "effective_date": effective_date.isoformat(),
                "created": tally.created,
                "updated": tally.updated,
                "unchanged": tally.unchanged,
                "deactivated": tally.deactivated,
                "reactivated": tally.reactivated,
                "placeholders_skipped": parsed.placeholders,
                "renamed": tally.rename_count,
                "renames": tally.renames,
            },
        )
    return record


def _clean_scope(scope_prefix: str, source: Path) -> str:
    scope = (scope_prefix or "").strip()
    if scope and (not is_valid(scope) or len(scope) not in (2, 4, 6, 9, 12)):
        raise DivisionFileError(
            f"范围前缀 {scope!r} 应为 2、4、6、9 或 12 位数字", file=str(source)
        )
    return scope


def _units_in_scope(parsed: ParsedSource, scope: str) -> dict[str, Unit]:
    """Units inside the scope, plus the scope's own ancestors (upserted, never deactivated)."""
    if not scope:
        return parsed.units
    above = {code for _, code in ancestors(pad(scope))}
    return {
        code: unit for code, unit in parsed.units.items() if code.startswith(scope) or code in above
    }


def _refuse_older_year(scope: str, year: int) -> None:
    newest = Region.objects.active().within(scope).aggregate(newest=Max("last_year"))["newest"]
    if newest is not None and year < newest:
        raise OlderYearError(
            f"已导入 {newest} 年的区划数据，不能用更早的 {year} 年数据覆盖",
            details={"loaded_year": newest, "year": year},
        )


def _existing_rows(scope: str) -> dict[str, _Existing]:
    """Stored units by code; an active row wins over inactive ones, the newest inactive next."""
    rows = Region.objects.all()
    if scope:
        above = [code for _, code in ancestors(pad(scope))]
        rows = rows.filter(Q(code__startswith=scope) | Q(code__in=above))
    columns = ("code", *(f.name for f in fields(_Existing)))
    # Raw cursor over the ORM's SQL: skips per-row model conversion for 600k rows.
    sql, params = rows.order_by("is_active", "id").values_list(*columns).query.sql_with_params()
    found: dict[str, _Existing] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for code, *values in cursor:
            found[code] = _Existing(*values)
    return found


def _plan_writes(
    units: dict[str, Unit], existing: dict[str, _Existing], scope: str, year: int, tally: _Tally
) -> _Writes:
    """Every change of the import, engine-neutral: new units get ids reserved up front (level
    by level, in file order), so a unit's parent id is known before anything is written."""
    writes = _Writes()
    writes.gone = [
        row.id
        for code, row in existing.items()
        if row.is_active and code.startswith(scope) and code not in units
    ]
    tally.deactivated = len(writes.gone)
    by_level: dict[int, list[Unit]] = {level: [] for level in Level.values}
    for unit in units.values():
        by_level[unit.level].append(unit)
    ordered = [unit for level in sorted(by_level) for unit in by_level[level]]
    new_units = [unit for unit in ordered if unit.code not in existing]
    new_ids = dict(zip((u.code for u in new_units), _reserve_ids(len(new_units)), strict=True))
    # A parent is the row the file's unit lands in (matched, reactivated or new), else the
    # stored active unit of that code.
    ids = {code: row.id for code, row in existing.items() if row.is_active}
    ids.update((code, row.id) for code, row in existing.items() if code in units)
    ids.update(new_ids)
    for unit in ordered:
        parent_id = _parent_id(unit, ids)
        row = existing.get(unit.code)
        if row is None:
            writes.inserts.append(
                (new_ids[unit.code], unit.code, *_values(unit, parent_id, None, year))
            )
            continue
        values = _values(unit, parent_id, row, year)
        if _differs(row, values, tally, unit):
            writes.updates.append((*values, row.id))
        elif (row.first_year, row.last_year) != values[-2:]:
            writes.year_only.append(row.id)
    tally.created = len(writes.inserts)
    return writes


def _reserve_ids(count: int) -> list[int]:
    """``count`` unused primary keys for new regions, ascending (inside the transaction)."""
    if not count:
        return []
    table = Region._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence looked up once (not per row), one array value instead of 600k rows.
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute(
                "SELECT array_agg(v ORDER BY v) FROM (SELECT nextval(%s::regclass) AS v "
                "FROM generate_series(1, %s)) AS reserved",
                [sequence, count],
            )
            return list(cursor.fetchone()[0])
        # SQLite: after the largest id ever handed out (AUTOINCREMENT); the IMMEDIATE
        # transaction holds the write lock, so no other writer can take one meanwhile.
        cursor.execute(f'SELECT coalesce(max(id), 0) FROM "{table}"')  # noqa: S608 - fixed name
        start = cursor.fetchone()[0]
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'")
        if cursor.fetchone():
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            found = cursor.fetchone()
            start = max(start, found[0] if found else 0)
    return list(range(start + 1, start + 1 + count))


def _parent_id(unit: Unit, ids: dict[str, int]) -> int | None:
    code = unit.parent_code
    if code is None:
        return None
    try:
        return ids[code]
    except KeyError:
        raise DivisionFileError(
            f"上级区划 {code} 既不在文件中也不在数据库中", file=unit.file, line=unit.line
        ) from None


def _values(unit: Unit, parent_id: int | None, row: _Existing | None, year: int) -> tuple[Any, ...]:
    urban_rural = (unit.urban_rural, unit.urban_rural_source, unit.urban_rural_code)
    # A person's correction, or an official code from an earlier file, outranks a name guess.
    if (
        row is not None
        and unit.urban_rural_source != UrbanRuralSource.OFFICIAL
        and row.urban_rural_source in (UrbanRuralSource.CORRECTED, UrbanRuralSource.OFFICIAL)
    ):
        urban_rural = (row.urban_rural, row.urban_rural_source, row.urban_rural_code)
    first_year = min(row.first_year or year, year) if row else year
    last_year = max(row.last_year or year, year) if row else year
    return (unit.name, unit.level, parent_id, *urban_rural, True, None, first_year, last_year)


def _differs(row: _Existing, values: tuple[Any, ...], tally: _Tally, unit: Unit) -> bool:
    """Whether the row needs a full write; counts it as updated or unchanged (years aside)."""
    name, _level, parent_id, urban_rural, source, ur_code, *_years = values
    if not row.is_active:
        tally.reactivated += 1
    if name != row.name:
        tally.rename_count += 1
        if len(tally.renames) < RENAMES_IN_AUDIT:
            tally.renames.append({"code": unit.code, "old": row.name, "new": name})
    substantive = (
        not row.is_active
        or name != row.name
        or parent_id != row.parent_id
        or (urban_rural, source, ur_code)
        != (row.urban_rural, row.urban_rural_source, row.urban_rural_code)
    )
    if substantive:
        tally.updated += 1
    else:
        tally.unchanged += 1
    return substantive


# --- SQLite: batched executemany ---------------------------------------------------------------


def _write_sqlite(writes: _Writes, effective_date: date, year: int) -> None:
    quote = connection.ops.quote_name
    table = quote(Region._meta.db_table)
    for chunk in _chunks(writes.gone, 500):
        Region.objects.filter(id__in=chunk).update(is_active=False, inactive_since=effective_date)
    sets = ", ".join(f"{quote(c)} = %s" for c in _DATA_COLUMNS)
    _executemany(f"UPDATE {table} SET {sets} WHERE id = %s", writes.updates)  # noqa: S608
    for chunk in _chunks(writes.year_only, 900):
        Region.objects.filter(id__in=chunk).update(
            first_year=Coalesce(Least(F("first_year"), Value(year)), Value(year)),
            last_year=Coalesce(Greatest(F("last_year"), Value(year)), Value(year)),
        )
    # Multi-row INSERTs on the raw connection (in Django's open transaction): one statement per
    # 500 rows, so AUTOINCREMENT's sqlite_sequence is written per statement, not per row.
    columns = ", ".join(quote(c) for c in ("id", "code", *_DATA_COLUMNS))
    row_marks = "(" + ", ".join("?" * (len(_DATA_COLUMNS) + 2)) + ")"
    raw = connection.connection
    for chunk in _chunks(writes.inserts, INSERT_ROWS):
        values = ", ".join([row_marks] * len(chunk))
        sql = f"INSERT INTO {table} ({columns}) VALUES {values}"  # noqa: S608 - fixed identifiers
        raw.execute(sql, [value for row in chunk for value in row])


def _executemany(sql: str, rows: list[tuple[Any, ...]]) -> None:
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, BATCH):
            cursor.executemany(sql, chunk)


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- PostgreSQL: COPY into a staging table, then set-based statements -----------------------------

# op: "g" deactivate, "u" write every data column, "y" widen the years, "i" insert.
_STAGE_COLUMNS = (
    ("op", "char(1)"),
    ("id", "bigint"),
    ("code", "varchar(12)"),
    ("name", "varchar(100)"),
    ("level", "smallint"),
    ("parent_id", "bigint"),
    ("urban_rural", "varchar(8)"),
    ("urban_rural_source", "varchar(10)"),
    ("urban_rural_code", "varchar(3)"),
    ("is_active", "boolean"),
    ("inactive_since", "date"),
    ("first_year", "smallint"),
    ("last_year", "smallint"),
)


def _write_postgresql(writes: _Writes, effective_date: date, year: int) -> None:
    """One COPY of every change into a temporary table, then one statement per kind of
    change (no per-row round trips, no client-side parameter binding of huge statements)."""
    quote = connection.ops.quote_name
    table = quote(Region._meta.db_table)
    stage = quote(STAGE_TABLE)
    names = [name for name, _ in _STAGE_COLUMNS]
    blank = (None,) * (len(_DATA_COLUMNS) + 1)  # code and the data columns
    with connection.cursor() as cursor:
        # ON COMMIT DROP; dropped first too, for a second import in the same transaction.
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{stage}")
        columns = ", ".join(f"{quote(name)} {kind}" for name, kind in _STAGE_COLUMNS)
        cursor.execute(f"CREATE TEMPORARY TABLE {stage} ({columns}) ON COMMIT DROP")
        copy_sql = f"COPY {stage} ({', '.join(map(quote, names))}) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for pk in writes.gone:
                copy.write_row(("g", pk, *blank))
            for pk in writes.year_only:
                copy.write_row(("y", pk, *blank))
            for *values, pk in writes.updates:
                copy.write_row(("u", pk, None, *values))
            for row in writes.inserts:
                copy.write_row(("i", *row))
        cursor.execute(f"ANALYZE {stage}")
        cursor.execute(
            f"UPDATE {table} r SET is_active = false, inactive_since = %s "  # noqa: S608
            f"FROM {stage} s WHERE s.op = 'g' AND r.id = s.id",
            [effective_date],
        )
        sets = ", ".join(f"{quote(c)} = s.{quote(c)}" for c in _DATA_COLUMNS)
        cursor.execute(
            f"UPDATE {table} r SET {sets} FROM {stage} s WHERE s.op = 'u' AND r.id = s.id"  # noqa: S608
        )
        cursor.execute(
            f"UPDATE {table} r SET "  # noqa: S608
            "first_year = coalesce(least(r.first_year, %s), %s), "
            "last_year = coalesce(greatest(r.last_year, %s), %s) "
            f"FROM {stage} s WHERE s.op = 'y' AND r.id = s.id",
            [year, year, year, year],
        )
        inserted = ", ".join(quote(c) for c in ("id", "code", *_DATA_COLUMNS))
        cursor.execute(
            f"INSERT INTO {table} ({inserted}) "  # noqa: S608
            f"SELECT {inserted} FROM {stage} WHERE op = 'i' ORDER BY id"
        )
        cursor.execute(f"DROP TABLE {stage}")


def region_correct_urban_rural(*, actor: User, region: Region, urban_rural: str) -> Region:
    """A bureau official in scope corrects a community's urban/rural flag; source "corrected"."""
    require(can_correct_urban_rural(actor, region))
    if urban_rural not in (UrbanRural.URBAN, UrbanRural.RURAL):
        raise ValidationFailed(
            _("城乡属性应为城镇或乡村"), details={"urban_rural": _("应为 urban 或 rural")}
        )
    with transaction.atomic():
        before = {"urban_rural": region.urban_rural, "source": region.urban_rural_source}
        region.urban_rural = urban_rural
        region.urban_rural_source = UrbanRuralSource.CORRECTED
        region.save(update_fields=["urban_rural", "urban_rural_source"])
        audit_record(
            actor=actor,
            kind="regions.urban_rural_corrected",
            target=region,
            region_code=region.code,
            payload={
                "before": before,
                "after": {"urban_rural": urban_rural, "source": UrbanRuralSource.CORRECTED},
            },
        )
    return region
