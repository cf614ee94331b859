"""Reading and cleaning the rows: the plan's shapes, the header mapping, every row through
``clean_organization``, the scope check and the in-file duplicates (with progress).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from npohub.accounts.models import User
from npohub.core.permissions import Decision
from npohub.core.spreadsheets import unescape_cell
from npohub.regions.models import Region

from ..import_jobs import RUNNING_STATUSES
from ..models import (
    REGISTERED_KINDS,
    ImportJob,
    Kind,
    Organization,
    Person,
)
from ..permissions import can_create_organization
from ..validation import (
    FIELD_HEADERS,
    CleanedOrganization,
    Lookups,
    OrganizationInput,
    clean_organization,
)
from .columns import (
    COLUMNS,
    COMMUNITY_GROUP,
    EXAMPLE_PREFIX,
    REQUIRED_COLUMNS,
    _normalise_header,
    header_aliases,
)

PROGRESS_EVERY = 5000


CHUNK = 900  # ids per IN (…) query: below SQLite's 999 variables


CENTS = Decimal("0.01")


@dataclass
class RowPlan:
    row: int
    cleaned: CleanedOrganization
    status_given: bool
    existing: Organization | None = None
    action: str = "create"  # create | update | unchanged
    person_changed: bool = False


@dataclass
class ImportPlan:
    errors: list[dict[str, Any]] = field(default_factory=list)
    rows: list[RowPlan] = field(default_factory=list)
    total_rows: int = 0
    persons_by_id: dict[str, Person] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # field → column header in the file

    @property
    def summary(self) -> dict[str, int]:
        counts = Counter(r.action for r in self.rows)
        return {k: counts.get(k, 0) for k in ("create", "update", "unchanged")}


class _Reporter:
    """Collects row errors with the column header as the file shows it."""

    def __init__(self, plan: ImportPlan, headers: dict[str, str]) -> None:
        self.plan = plan
        self.headers = headers
        self.bad_rows: set[int] = set()

    def add(self, row: int | None, field_name: str, message: str) -> None:
        column = self.headers.get(field_name) or FIELD_HEADERS.get(field_name, "")
        self.plan.errors.append(
            {"row": row, "column": column, "field": field_name, "message": message}
        )
        if row is not None:
            self.bad_rows.add(row)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text: str = unescape_cell(str(value).strip())
    return text


def _region_key(value: Any) -> str:
    text = _cell_text(value)
    return text.ljust(12, "0") if text.isdigit() and len(text) in (2, 4, 6, 9, 12) else text


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _prefetch_regions(lookups: Lookups, codes: set[str]) -> None:
    wanted = sorted(c for c in codes if c and c not in lookups.regions)
    for code in wanted:
        lookups.regions[code] = None
    for chunk in _chunks(wanted):
        for region in Region.objects.active().filter(code__in=chunk):
            lookups.regions[region.code] = region


def _map_header(kind: str, header_row: list[Any], report: _Reporter) -> dict[int, str] | None:
    """Column index → field; file-level errors for unknown headers and missing columns."""
    aliases = header_aliases(kind)
    mapping: dict[int, str] = {}
    for index, value in enumerate(header_row):
        text = _normalise_header(value)
        if not text:
            continue
        field_name = aliases.get(text)
        if field_name is None:
            report.add(
                None,
                "",
                _("未知的列“%(column)s”，请使用导入模板的列名") % {"column": _cell_text(value)},
            )
        elif field_name in mapping.values():
            report.add(None, field_name, _("列“%(column)s”重复") % {"column": _cell_text(value)})
        else:
            mapping[index] = field_name
            report.headers[field_name] = _cell_text(value)
    for required in REQUIRED_COLUMNS[kind]:
        if required not in mapping.values():
            label = next(c.header for c in COLUMNS[kind] if c.field == required)
            report.add(None, required, _("缺少必填列“%(column)s”") % {"column": label})
    return None if report.plan.errors else mapping


def _set_progress(job: ImportJob, processed: int | None) -> None:
    """Progress (when shown) and the job's heartbeat, outside any transaction."""
    if transaction.get_connection().in_atomic_block:
        return
    values: dict[str, Any] = {"heartbeat_at": timezone.now()}
    if processed is not None:
        values["processed_rows"] = processed
    ImportJob.objects.filter(pk=job.pk, status__in=RUNNING_STATUSES).update(**values)


def _with_region_lookups(
    rows: Iterator[list[Any]], lookups: Lookups, code_indexes: list[int]
) -> Iterator[list[Any]]:
    """The rows as they come, the regions of each batch of rows loaded in bulk beforehand."""
    batch: list[list[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == PROGRESS_EVERY:
            _prefetch_regions(
                lookups, {_region_key(r[i]) for r in batch for i in code_indexes if i < len(r)}
            )
            yield from batch
            batch = []
    _prefetch_regions(
        lookups, {_region_key(r[i]) for r in batch for i in code_indexes if i < len(r)}
    )
    yield from batch


def _with_name(cleaned: CleanedOrganization, name: str) -> CleanedOrganization:
    """A copy of a cleaned row with another name (no __init__: this runs once per row)."""
    copy = object.__new__(CleanedOrganization)
    copy.__dict__.update(cleaned.__dict__)
    copy.name = name
    return copy


# Rows whose cleaning is remembered: beyond this many distinct rows, cleaning is not remembered.
MEMO_LIMIT = 20_000


def _clean_rows(
    *,
    actor: User,
    job: ImportJob,
    rows: Iterator[list[Any]],
    mapping: dict[int, str],
    report: _Reporter,
    lookups: Lookups,
    progress: bool,
) -> list[RowPlan]:
    """Every row through ``clean_organization``, the scope check and the in-file duplicates.

    The name only matters to cleaning when it is empty or too long, so rows that differ only
    by name (most of a group file: same community, category, date …) are cleaned once and
    the result reused with each row's name; scope decisions are remembered per address.
    """
    today = timezone.localdate()
    fixed_kind = Kind.COMMUNITY_GROUP if job.kind == COMMUNITY_GROUP else None
    items = list(mapping.items())
    name_index = next((i for i, f in items if f == "name"), None)
    indexes = [i for i, _ in items]
    other_indexes = [i for i, f in items if f != "name"]
    status_index = next((i for i, f in items if f == "status"), None)
    width = max(mapping) + 1 if mapping else 0
    seen_keys: dict[str | tuple[str, str], int] = {}
    seen_names: dict[str, tuple[int, str | None]] = {}
    seen_ids: dict[str, tuple[int, str]] = {}
    memo: dict[tuple[Any, ...], tuple[CleanedOrganization | None, dict[str, str]]] = {}
    decisions: dict[tuple[str, str], Decision] = {}
    plans: list[RowPlan] = []
    for offset, cells in enumerate(rows):
        row = offset + 2
        if offset and offset % PROGRESS_EVERY == 0:
            _set_progress(job, offset if progress else None)
        if len(cells) < width:
            cells = [*cells, *([None] * (width - len(cells)))]
        name = _cell_text(cells[name_index]) if name_index is not None else ""
        if not name and all(_cell_text(cells[i]) == "" for i in indexes):
            continue
        if name.startswith(EXAMPLE_PREFIX):
            continue
        report.plan.total_rows += 1
        memo_key: tuple[Any, ...] | None = None
        result = None
        if name and len(name) <= 200:
            others = tuple(map(cells.__getitem__, other_indexes))
            memo_key = (others, tuple(map(type, others)))
            result = memo.get(memo_key)
        if result is None:
            values = {f: cells[i] for i, f in items}
            if fixed_kind:
                values["kind"] = fixed_kind
            result = clean_organization(OrganizationInput(**values), lookups=lookups, today=today)
            if memo_key is not None and len(memo) < MEMO_LIMIT:
                memo[memo_key] = result
            cleaned, errors = result
        else:
            cleaned, errors = result
            if cleaned is not None:
                cleaned = _with_name(cleaned, name)
        for field_name, message in errors.items():
            report.add(row, field_name, message)
        if cleaned is None:
            continue
        if fixed_kind is None and cleaned.kind not in REGISTERED_KINDS:
            report.add(row, "kind", _("备案社区社会组织请使用“备案社区社会组织”模板导入"))
            continue
        scope_key = (cleaned.kind, cleaned.address_code)
        decision = decisions.get(scope_key)
        if decision is None:
            decision = decisions[scope_key] = can_create_organization(
                actor, kind=cleaned.kind, address_code=cleaned.address_code
            )
        if not decision:
            where = "community_code" if cleaned.community else "authority_region_code"
            report.add(row, where, decision.reason)
            continue
        if cleaned.uscc:
            key: str | tuple[str, str] = cleaned.uscc
            duplicate_field = "uscc"
        else:
            key = (cleaned.address_code, cleaned.name)
            duplicate_field = "name"
        first_row = seen_keys.setdefault(key, row)
        if first_row != row:
            what = (
                pgettext("duplicate key", "统一社会信用代码")
                if cleaned.uscc
                else pgettext("duplicate key", "名称和社区")
            )
            message = _("与第%(row)s行重复（%(what)s相同）") % {"row": first_row, "what": what}
            report.add(row, duplicate_field, message)
            continue
        if cleaned.uscc:
            first = seen_names.get(cleaned.name)
            if first and first[1] != cleaned.uscc:
                message = _("名称与第%(row)s行相同（统一社会信用代码不同）") % {"row": first[0]}
                report.add(row, "name", message)
                continue
            seen_names.setdefault(cleaned.name, (row, cleaned.uscc))
        id_number = cleaned.legal_representative_id_number
        if id_number:
            first_id = seen_ids.setdefault(id_number, (row, cleaned.legal_representative_name))
            if first_id[1] != cleaned.legal_representative_name:
                report.add(
                    row,
                    "legal_representative_id_number",
                    _("与第%(row)s行身份证号相同但姓名不同") % {"row": first_id[0]},
                )
                continue
        status_given = status_index is not None and bool(cells[status_index])
        plans.append(RowPlan(row=row, cleaned=cleaned, status_given=status_given))
    return plans
