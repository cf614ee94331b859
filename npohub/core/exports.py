"""List exports, one mechanism for every list page: definitions, filters, and the file writers.

An app that shows a list registers an export of it in its ``exporters.py`` (found on first use,
``autodiscover_modules("exporters")``; core never imports an app)::

    from npohub.core.exports import Column, ExportDefinition, form_filters, register

    register(ExportDefinition(
        key="credit.listings",
        title=_("信用名单"),
        list_url="credit:listing-list",
        may_export=can_view_lists,                       # the list page's own check
        filters=form_filters(ListingFilterForm),          # the list page's filter form
        records=listing_list_for,                         # the list page's scoped selector
        columns=[Column(_("组织名称"), lambda r: r.organization.name), …],
    ))

``records(user, filters)`` is the very selector the page lists with, so an export holds exactly
the page's rows (all pages of them) under the same filters and scope. Columns read what the page
shows (masked where the page masks). ``build_rows`` may replace the per-column reading when an
app already has a row builder (the registry's masked ``values_list`` rows).

Every cell passes through :func:`core.spreadsheets.escape_cell`, so a text that a spreadsheet
would run as a formula (``=…``, ``+…``, ``-…``, ``@…``) is written as text.
The jobs (who exported what, the background run and the download list) are in
``core.export_jobs``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .errors import NotFound, ValidationFailed
from .spreadsheets import escape_cell

XLSX = "xlsx"
CSV = "csv"
FORMATS = {XLSX: "Excel (.xlsx)", CSV: "CSV"}
CONTENT_TYPES = {
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    CSV: "text/csv; charset=utf-8",
}
# Query parameters that are not filters (paging, the export's own fields).
NOT_FILTERS = frozenset({"page", "format", "csrfmiddlewaretoken", "export"})


class BadExportFilters(ValidationFailed):
    """The filters sent with an export cannot be read (a year "abc", an unknown state)."""

    code = "export.bad_filters"


@dataclass(frozen=True)
class Column:
    """One column: its Chinese header and how a record's cell is read."""

    header: str | Promise
    value: Callable[[Any], Any] = field(default=lambda record: "")


def attr(header: str | Promise, path: str) -> Column:
    """A column reading an attribute path (``"organization.name"``); a choice field's label
    when the record has ``get_<name>_display``; "" when a step is None."""
    steps = path.split(".")

    def read(record: Any) -> Any:
        value = record
        for index, step in enumerate(steps):
            if value is None:
                return ""
            if index == len(steps) - 1:
                display = getattr(value, f"get_{step}_display", None)
                if callable(display):
                    return display()
            value = getattr(value, step)
        return value

    return Column(header, read)


Filters = Any
Records = Any  # a QuerySet or a sequence of records


def no_filters(query: Mapping[str, Any]) -> None:
    return None


@dataclass(frozen=True)
class ExportDefinition:
    key: str
    title: str | Promise
    records: Callable[[Any, Filters], Records]
    columns: Sequence[Column] | Callable[[Filters], Sequence[Column]]
    filters: Callable[[Mapping[str, Any]], Filters] = no_filters
    may_export: Callable[[Any], Any] = lambda user: True
    list_url: str = ""
    # (user, filters) → a function turning one record into its row (replaces the columns'
    # own reading; headers still come from ``columns``).
    build_rows: Callable[[Any, Filters], Callable[[Any], Sequence[Any]]] | None = None

    def columns_for(self, filters: Filters) -> Sequence[Column]:
        return self.columns(filters) if callable(self.columns) else self.columns


_REGISTRY: dict[str, ExportDefinition] = {}
_discovered = False


def register(definition: ExportDefinition) -> ExportDefinition:
    _REGISTRY[definition.key] = definition
    return definition


def _discover() -> None:
    global _discovered
    if not _discovered:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("exporters")
        _discovered = True


def all_definitions() -> dict[str, ExportDefinition]:
    _discover()
    return dict(_REGISTRY)


def definition_for(user: Any, key: str) -> ExportDefinition:
    """The export ``key`` if this user may open its list page; NotFound otherwise (as the page)."""
    _discover()
    definition = _REGISTRY.get(key)
    if definition is None or not definition.may_export(user):
        raise NotFound(_("导出不存在"))
    return definition


# --- Filters ---------------------------------------------------------------------------------


def clean_query(query: Mapping[str, Any]) -> dict[str, list[str]]:
    """The list's query parameters as stored on a job (``{name: [values]}``), without paging."""
    if isinstance(query, QueryDict):
        items: Iterable[tuple[str, list[str]]] = query.lists()
    else:
        items = ((k, v if isinstance(v, list) else [v]) for k, v in query.items())
    cleaned: dict[str, list[str]] = {}
    for name, values in items:
        if name in NOT_FILTERS:
            continue
        kept = [str(v)[:200] for v in values if str(v) != ""]
        if kept:
            cleaned[str(name)[:50]] = kept[:20]
    return dict(sorted(cleaned.items())[:30])


def as_query(stored: Mapping[str, Sequence[str]]) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, values in stored.items():
        query.setlist(name, list(values))
    return query


def check_form(form: forms.Form) -> forms.Form:
    """``form`` if its data is valid (or it has none); else BadExportFilters naming the fields."""
    if form.is_bound and not form.is_valid():
        details: dict[str, str] = {}
        parts = []
        for name, errors in form.errors.items():
            label = str(form.fields[name].label or name) if name in form.fields else ""
            text = "；".join(str(e) for e in errors)
            details[name] = text
            parts.append(f"{label}：{text}" if label else text)
        raise BadExportFilters(
            _("筛选条件有误，未导出：%(problems)s") % {"problems": "；".join(parts)},
            details=details,
        )
    return form


def form_filters(
    form_class: Callable[..., forms.Form],
    read: Callable[[Any], Filters] = lambda form: form.to_filters(),
    **kwargs: Any,
) -> Callable[[Mapping[str, Any]], Filters]:
    """A ``filters`` reader built on the list page's own filter form: the same fields, the same
    defaults; invalid values are refused with a message instead of silently ignored.
    ``kwargs`` values that are callables are called for each export (choices read now)."""

    def parse(query: Mapping[str, Any]) -> Filters:
        extra = {k: (v() if callable(v) else v) for k, v in kwargs.items()}
        form = form_class(query or None, **extra)
        return read(check_form(form))

    return parse


# --- Rows and files ---------------------------------------------------------------------------


def count_of(records: Records) -> int:
    if isinstance(records, QuerySet):
        return records.count()
    return len(records)


def _iterate(records: Records) -> Iterator[Any]:
    if isinstance(records, QuerySet):
        chunk = 2000 if getattr(records, "_prefetch_related_lookups", ()) else None
        yield from records.iterator(chunk_size=chunk) if chunk else records.iterator()
        return
    yield from records


def plain(value: Any) -> Any:
    """A cell as a spreadsheet takes it: text, number, date; never a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, int | float | Decimal | dt.date):
        return value
    return escape_cell(str(value))


def header_of(definition: ExportDefinition, filters: Filters) -> list[str]:
    return [escape_cell(str(c.header)) for c in definition.columns_for(filters)]


def rows_of(
    definition: ExportDefinition, user: Any, filters: Filters, records: Records
) -> Iterator[list[Any]]:
    """The data rows (no header), cells made plain and formula-safe."""
    if definition.build_rows is not None:
        build = definition.build_rows(user, filters)
    else:
        readers = [c.value for c in definition.columns_for(filters)]

        def build(record: Any) -> Sequence[Any]:
            return [read(record) for read in readers]

    for record in _iterate(records):
        yield [plain(v) for v in build(record)]


Progress = Callable[[int], None]


def write_xlsx(
    handle: IO[bytes],
    title: str,
    header: list[str],
    rows: Iterable[list[Any]],
    progress: Progress | None = None,
) -> int:
    """Write the rows as .xlsx (openpyxl write-only); the number of data rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(safe_name(title)[:31] or "Sheet1")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    head = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    count = 0
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
        count += 1
        if progress is not None and count % 1000 == 0:
            progress(count)
    workbook.save(handle)
    return count


def _csv_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def write_csv(
    handle: IO[bytes],
    title: str,
    header: list[str],
    rows: Iterable[list[Any]],
    progress: Progress | None = None,
) -> int:
    """Write the rows as CSV, UTF-8 with a BOM (Excel then reads the Chinese); data rows."""
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
        count += 1
        if progress is not None and count % 1000 == 0:
            progress(count)
    text.flush()
    text.detach()
    return count


WRITERS = {XLSX: write_xlsx, CSV: write_csv}


UNSAFE_IN_NAMES = str.maketrans(dict.fromkeys('\\/*?:[]"<>|', "-"))


def safe_name(title: str) -> str:
    """A title usable as a sheet name and a file name (``党建工作指导员/联络员`` has a slash)."""
    return title.translate(UNSAFE_IN_NAMES).strip() or "export"


def filename_for(title: str, fmt: str, when: dt.datetime | None = None) -> str:
    stamp = timezone.localtime(when or timezone.now()).strftime("%Y%m%d-%H%M")
    return f"{safe_name(title)}-{stamp}.{fmt}"
