"""Engine-specific fast inserts for bulk imports (performance.md §7 #8).

``insert_rows`` writes many rows of one model from plain tuples, without building model
instances, and returns the new primary keys in row order:

* SQLite: one ``executemany`` on the raw connection with ids assigned explicitly after the
  largest id ever used (``sqlite_sequence``), which is safe because the caller's IMMEDIATE
  transaction holds the database's write lock (no other writer can take an id meanwhile).
* PostgreSQL: ids drawn from the table's sequence in one query, then ``COPY … FROM STDIN``.
* Anything else: ``bulk_create`` of model instances.

Values go through each field's ``get_db_prep_save`` (remembered per distinct value for dates,
decimals and datetimes), so what lands in the table is what the ORM would have written.

``search_index_deferred`` (SQLite) replaces the per-row search-index trigger of migration
``0005_search_bigrams`` by three set-based statements for the inserted id range: ~0.9 s of CPU
instead of ~11 s for 100 k organisations. It only does so when the trigger in the database is
exactly the one this module knows how to reproduce; otherwise the trigger simply runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from importlib import import_module
from typing import Any, cast

from django.db import connections, models
from django.utils import timezone

AnyField = models.Field[Any, Any]
BATCH = 5000  # rows per bulk_create batch on other engines
# Field types whose Python values the drivers take as they are (str, int, bool, None).
_AS_IS = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "ForeignKey",
        "IntegerField",
        "OneToOneField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
    }
)


def _converter(field: AnyField, connection: Any) -> Callable[[Any], Any] | None:
    """None when values pass as they are, else value → database value (memoised)."""
    if field.get_internal_type() in _AS_IS:
        return None

    def prep(value: Any) -> Any:
        return field.get_db_prep_save(value, connection)

    memo: dict[tuple[type, Any], Any] = {}
    last: list[Any] = [_UNSET, None]  # the last unhashable value (a shared payload dict)

    def convert(value: Any) -> Any:
        if value is None:
            return None
        try:
            key = (type(value), value)
            return memo[key]
        except KeyError:
            result = memo[key] = prep(value)
            return result
        except TypeError:  # dicts and lists (JSON): the same object is often repeated
            if value is last[0]:
                return last[1]
            last[0], last[1] = value, prep(value)
            return last[1]

    return convert


_UNSET = object()


def _prepared(
    fields: Sequence[AnyField],
    rows: Iterable[Sequence[Any]],
    tail: tuple[Any, ...],
    connection: Any,
) -> Iterator[Sequence[Any]]:
    """Database values of each row (the fields of the row, then the prepared ``tail``)."""
    converters = [
        (i, c)
        for i, f in enumerate(fields[: len(fields) - len(tail)])
        if (c := _converter(f, connection))
    ]
    for row in rows:
        if converters:
            values = list(row)
            for index, convert in converters:
                values[index] = convert(values[index])
            yield (*values, *tail)
        else:
            yield (*row, *tail)


def insert_rows(
    model: type[models.Model],
    field_names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    constants: dict[str, Any] | None = None,
    using: str = "default",
) -> list[int]:
    """Insert ``rows`` (values in ``field_names`` order, attnames for foreign keys) in the
    caller's transaction; returns the new primary keys, in row order.

    ``constants`` gives columns with the same value in every row; every other column not
    named gets its default (``auto_now``/``auto_now_add`` columns: now)."""
    if not rows:
        return []
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("insert_rows must run inside transaction.atomic()")
    meta = model._meta
    fields = [cast(AnyField, meta.get_field(name)) for name in field_names]
    given = {f.attname for f in fields}
    constants = dict(constants or {})
    now = timezone.now()
    for f in meta.concrete_fields:
        if f.primary_key or f.attname in given or f.attname in constants:
            continue
        auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        constants[f.attname] = now if auto else f.get_default()
    constant_fields = [cast(AnyField, meta.get_field(name)) for name in constants]
    tail = tuple(
        f.get_db_prep_save(v, connection) if v is not None else None
        for f, v in zip(constant_fields, constants.values(), strict=True)
    )
    if connection.vendor != "sqlite" and connection.vendor != "postgresql":
        tail = tuple(constants.values())  # model instances take Python values
    fields = [*fields, *constant_fields]
    field_names = [*field_names, *(f.attname for f in constant_fields)]
    if connection.vendor == "sqlite":
        return _sqlite_insert(model, fields, rows, tail, connection)
    if connection.vendor == "postgresql":
        return _postgres_copy(model, fields, rows, tail, connection)
    objects = [model(**dict(zip(field_names, (*row, *tail), strict=True))) for row in rows]
    model._default_manager.using(using).bulk_create(objects, batch_size=BATCH)
    return [obj.pk for obj in objects]


def _sqlite_insert(
    model: type[models.Model],
    fields: list[AnyField],
    rows: Sequence[Sequence[Any]],
    tail: tuple[Any, ...],
    connection: Any,
) -> list[int]:
    meta = model._meta
    table, pk = meta.db_table, meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT coalesce(max("{pk}"), 0) FROM "{table}"')
        start = cursor.fetchone()[0]
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'")
        if cursor.fetchone():
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            found = cursor.fetchone()
            start = max(start, found[0] if found else 0)
    first = start + 1
    columns = ", ".join(f'"{c}"' for c in [pk, *(f.column for f in fields)])
    marks = ", ".join("?" * (len(fields) + 1))
    sql = f'INSERT INTO "{table}" ({columns}) VALUES ({marks})'
    values = _prepared(fields, rows, tail, connection)
    raw = connection.connection  # the sqlite3 connection, in Django's open transaction
    raw.executemany(sql, ((first + i, *row) for i, row in enumerate(values)))
    return list(range(first, first + len(rows)))


def _postgres_copy(
    model: type[models.Model],
    fields: list[AnyField],
    rows: Sequence[Sequence[Any]],
    tail: tuple[Any, ...],
    connection: Any,
) -> list[int]:
    meta = model._meta
    table, pk = meta.db_table, meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk, len(rows)],
        )
        ids = sorted(r[0] for r in cursor.fetchall())
        columns = ", ".join(f'"{c}"' for c in [pk, *(f.column for f in fields)])
        with cursor.cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
            for pk_value, row in zip(ids, _prepared(fields, rows, tail, connection), strict=True):
                copy.write_row((pk_value, *row))
    return ids


# --- The search index on SQLite -----------------------------------------------------------------

_INSERT_TRIGGER = "orgs_search_ai"


def _normalise_sql(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip()


def _known_search_sql() -> tuple[str, list[str]] | None:
    """The CREATE TRIGGER statement of the current search index and its set-based equivalent
    for an id range (``%s`` = first id, ``%s`` = last id); None when not known."""
    try:
        m4 = import_module("npohub.orgs.migrations.0004_search_index")
        m5 = import_module("npohub.orgs.migrations.0005_search_bigrams")
        statements = m5.sqlite_forward(None)
        body = m4.SQLITE_BODY_EXPR.format(row="o")
        bigrams = m5.SQLITE_BIGRAMS
    except (ImportError, AttributeError):
        return None
    create = next(
        (s for s in statements if s.lstrip().startswith(f"CREATE TRIGGER {_INSERT_TRIGGER} ")),
        None,
    )
    if create is None:
        return None
    refresh = [
        "INSERT OR REPLACE INTO orgs_search_doc(org_id, body) "
        f"SELECT o.id, {body} FROM orgs_organization o WHERE o.id BETWEEN %s AND %s",
        "INSERT INTO orgs_search_fts(rowid, body) "
        "SELECT org_id, body FROM orgs_search_doc WHERE org_id BETWEEN %s AND %s",
        f"INSERT INTO orgs_search_bi(rowid, grams) SELECT d.org_id, {bigrams} "
        "FROM orgs_search_doc d WHERE d.org_id BETWEEN %s AND %s",
    ]
    return create, refresh


def search_index_can_defer(using: str = "default") -> bool:
    """Whether ``search_index_deferred`` can replace the insert trigger on this database."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    known = _known_search_sql()
    if known is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name = 'orgs_organization'"
        )
        triggers = dict(cursor.fetchall())
    current = triggers.get(_INSERT_TRIGGER)
    return current is not None and _normalise_sql(current) == _normalise_sql(known[0])


class DeferredSearchIndex:
    """Collects the id ranges inserted while the search trigger is off."""

    def __init__(self, active: bool) -> None:
        self.active = active
        self.ranges: list[tuple[int, int]] = []

    def inserted(self, ids: Sequence[int]) -> None:
        if self.active and ids:
            if list(ids) != list(range(ids[0], ids[0] + len(ids))):
                raise RuntimeError("deferred search indexing needs consecutive ids")
            self.ranges.append((ids[0], ids[-1]))


@contextmanager
def search_index_deferred(using: str = "default") -> Iterator[DeferredSearchIndex]:
    """Inside the caller's transaction: drop the search insert trigger, let the caller insert
    organisations (reporting their ids), then index them set-based and put the trigger back.

    SQLite DDL is transactional: a rollback restores the trigger, and other connections never
    see the table without it (the write lock is held; readers see the last commit)."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("search_index_deferred must run inside transaction.atomic()")
    known = _known_search_sql() if search_index_can_defer(using) else None
    state = DeferredSearchIndex(active=known is not None)
    if known is None:
        yield state
        return
    create, refresh = known
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {_INSERT_TRIGGER}")
    yield state
    with connection.cursor() as cursor:
        cursor.execute(create)
        for first, last in state.ranges:
            for sql in refresh:
                cursor.execute(sql, [first, last])
