"""Writes to the division hierarchy: yearly imports and urban-rural corrections."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Max, Q, Value
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone

from npohub.core.audit import audit_record
from npohub.core.errors import ValidationFailed
from npohub.core.permissions import require

from .codes import ancestors, is_valid, pad
from .errors import DivisionFileError, OlderYearError
from .importing import ParsedSource, Unit, parse_source
from .models import Level, Region, RegionImport, UrbanRural, UrbanRuralSource
from .permissions import can_correct_urban_rural, can_import_regions

BATCH = 5000
# Rows per multi-row INSERT: 11 columns x 500 stays well under SQLite's 32,766 variables.
INSERT_ROWS = 500
RENAMES_IN_AUDIT = 200

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


def region_import(
    *,
    source: Path,
    layout: str,
    year: int,
    effective_date: date,
    actor: Any = None,
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
        tally.deactivated = _deactivate_missing(existing, units, scope, effective_date)
        _write_units(units, existing, year, tally)
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


def _deactivate_missing(
    existing: dict[str, _Existing], units: dict[str, Unit], scope: str, effective_date: date
) -> int:
    gone = [
        row.id
        for code, row in existing.items()
        if row.is_active and code.startswith(scope) and code not in units
    ]
    for chunk in _chunks(gone, 500):
        Region.objects.filter(id__in=chunk).update(is_active=False, inactive_since=effective_date)
    return len(gone)


def _write_units(
    units: dict[str, Unit], existing: dict[str, _Existing], year: int, tally: _Tally
) -> None:
    """Level by level, so each unit's parent already has an id when the unit is written."""
    by_level: dict[int, list[Unit]] = {level: [] for level in Level.values}
    for unit in units.values():
        by_level[unit.level].append(unit)
    ids = {code: row.id for code, row in existing.items() if row.is_active}
    for level in sorted(by_level):
        inserts: list[Sequence[Any]] = []
        updates: list[Sequence[Any]] = []
        year_only: list[int] = []
        for unit in by_level[level]:
            parent_id = _parent_id(unit, ids)
            row = existing.get(unit.code)
            if row is None:
                inserts.append((unit.code, *_values(unit, parent_id, None, year)))
                continue
            ids[unit.code] = row.id  # also when the row comes back from inactive
            values = _values(unit, parent_id, row, year)
            if _differs(row, values, tally, unit):
                updates.append((*values, row.id))
            elif (row.first_year, row.last_year) != values[-2:]:
                year_only.append(row.id)
        _execute_updates(updates)
        _bump_years(year_only, year)
        _execute_inserts(inserts)
        tally.created += len(inserts)
        if inserts and level < Level.VILLAGE:
            ids.update(Region.objects.filter(is_active=True, level=level).values_list("code", "id"))


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
    name, _, parent_id, urban_rural, source, ur_code, *_ = values
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


def _bump_years(ids: list[int], year: int) -> None:
    """Units seen again: widen first/last year in set-based statements, not one per row."""
    for chunk in _chunks(ids, 900):
        Region.objects.filter(id__in=chunk).update(
            first_year=Coalesce(Least(F("first_year"), Value(year)), Value(year)),
            last_year=Coalesce(Greatest(F("last_year"), Value(year)), Value(year)),
        )


def _execute_inserts(rows: list[Sequence[Any]]) -> None:
    """Multi-row INSERTs: one round trip per batch on PostgreSQL, not one per row."""
    table = connection.ops.quote_name(Region._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in ("code", *_DATA_COLUMNS))
    row_marks = "(" + ", ".join(["%s"] * (len(_DATA_COLUMNS) + 1)) + ")"
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, INSERT_ROWS):
            values = ", ".join([row_marks] * len(chunk))
            sql = f"INSERT INTO {table} ({columns}) VALUES {values}"  # noqa: S608 - fixed identifiers
            cursor.execute(sql, [value for row in chunk for value in row])


def _execute_updates(rows: list[Sequence[Any]]) -> None:
    table = connection.ops.quote_name(Region._meta.db_table)
    sets = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in _DATA_COLUMNS)
    sql = f"UPDATE {table} SET {sets} WHERE id = %s"  # noqa: S608 - fixed identifiers
    _executemany(sql, rows)


def _executemany(sql: str, rows: list[Sequence[Any]]) -> None:
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, BATCH):
            cursor.executemany(sql, chunk)


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def region_correct_urban_rural(*, actor: Any, region: Region, urban_rural: str) -> Region:
    """A bureau official in scope corrects a community's urban/rural flag; source "corrected"."""
    require(can_correct_urban_rural(actor, region))
    if urban_rural not in (UrbanRural.URBAN, UrbanRural.RURAL):
        raise ValidationFailed(
            "城乡属性应为城镇或乡村", details={"urban_rural": "应为 urban 或 rural"}
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
