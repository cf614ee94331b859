"""Bulk import of organisations from a spreadsheet: upload → validate (preview) → commit.

Every row goes through :func:`clean_organization`; on top of that the import checks duplicates
inside the file and against the registry, the user's scope for every row, and decides for each
row whether it creates, updates or leaves an organisation unchanged (so re-importing the same
file changes nothing). The commit is one transaction with bulk writes (performance.md §7 #8).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from pypinyin import Style, lazy_pinyin
from pypinyin.constants import RE_HANS
from pypinyin.seg import mmseg

from npohub.core.audit import actor_label_for, audit_record
from npohub.core.errors import Conflict, NotFound, ValidationFailed
from npohub.core.models import AuditEvent
from npohub.core.navigation import NavItem, register
from npohub.core.permissions import require
from npohub.core.spreadsheets import unescape_cell
from npohub.regions.codes import ancestors
from npohub.regions.models import Region

from . import bulk
from .import_files import FileRefused, Limits, check_upload_size, count_rows, read_rows
from .import_jobs import RUNNING_STATUSES, current_process, import_jobs_sweep
from .models import (
    CLOSED_STATUSES,
    REGISTERED_KINDS,
    Category,
    FieldChange,
    ImportJob,
    ImportStatus,
    Kind,
    Organization,
    OrgRollup,
    Person,
    Status,
)
from .permissions import can_create_organization, can_edit_organization, can_import
from .search import name_initials, name_pinyin
from .services import TRACKED_FIELDS, organization_snapshot
from .validation import (
    FIELD_HEADERS,
    CleanedOrganization,
    Lookups,
    OrganizationInput,
    clean_organization,
)

REGISTERED = "registered"
COMMUNITY_GROUP = "community_group"
IMPORT_KINDS = {
    REGISTERED: gettext_lazy("登记的社会组织"),
    COMMUNITY_GROUP: gettext_lazy("备案社区社会组织"),
}
ALLOWED_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
PROGRESS_EVERY = 5000
CHUNK = 900  # ids per IN (…) query: below SQLite's 999 variables
# The template's example row starts with this; such rows are skipped, never imported.
EXAMPLE_PREFIX = "示例："
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    required: bool = False
    note: str = ""
    example: Any = ""
    is_text: bool = False  # codes and phone numbers: a text cell, so Excel keeps every digit


REGISTERED_COLUMNS: tuple[Column, ...] = (
    Column("kind", FIELD_HEADERS["kind"], True, "社会团体、社会服务机构、基金会", "社会团体"),
    Column(
        "name", FIELD_HEADERS["name"], True, "不超过200字", EXAMPLE_PREFIX + "历下区社区营造促进会"
    ),
    Column(
        "uscc",
        FIELD_HEADERS["uscc"],
        True,
        "18位；第1位为5（民政），第2位：1社会团体、2社会服务机构、3基金会",
        "51370102MJD1234565",
        True,
    ),
    Column(
        "category_code", FIELD_HEADERS["category_code"], False, "类别名称或代码", "城乡社区服务"
    ),
    Column(
        "management_level",
        FIELD_HEADERS["management_level"],
        False,
        "全国性、省级、市级、县（区）级、街道（乡镇）级；默认县（区）级",
        "县（区）级",
    ),
    Column(
        "authority_region_code",
        FIELD_HEADERS["authority_region_code"],
        True,
        "登记管理机关所在县级及以上区划的6位或12位代码",
        "370102",
        True,
    ),
    Column(
        "community_code",
        FIELD_HEADERS["community_code"],
        False,
        "住所所在社区/村的12位统计用区划代码",
        "370102001002",
        True,
    ),
    Column("address", FIELD_HEADERS["address"], False, "", "济南市历下区解放路2号"),
    Column(
        "supervisory_unit",
        FIELD_HEADERS["supervisory_unit"],
        False,
        "非直接登记类别必填",
        "",
    ),
    Column(
        "legal_representative_name", FIELD_HEADERS["legal_representative_name"], False, "", "王芳"
    ),
    Column(
        "legal_representative_id_number",
        FIELD_HEADERS["legal_representative_id_number"],
        False,
        "18位居民身份证号",
        "",
        True,
    ),
    Column(
        "legal_representative_phone",
        FIELD_HEADERS["legal_representative_phone"],
        False,
        "",
        "",
        True,
    ),
    Column("registered_funds", FIELD_HEADERS["registered_funds"], False, "数字，单位元", 30000),
    Column(
        "foundation_type", FIELD_HEADERS["foundation_type"], False, "基金会填：公募或非公募", ""
    ),
    Column(
        "certificate_form",
        FIELD_HEADERS["certificate_form"],
        False,
        "社会服务机构填：法人、合伙或个体",
        "",
    ),
    Column("is_charity", FIELD_HEADERS["is_charity"], False, "是 / 否", "否"),
    Column("purpose", FIELD_HEADERS["purpose"], False, "", "促进社区营造"),
    Column("business_scope", FIELD_HEADERS["business_scope"], False, "", "社区服务、培训"),
    Column("activity_area", FIELD_HEADERS["activity_area"], False, "社会团体必填", "历下区"),
    Column(
        "registration_date",
        FIELD_HEADERS["registration_date"],
        True,
        "日期，如 2024-03-01",
        dt.date(2021, 6, 1),
    ),
    Column(
        "status",
        FIELD_HEADERS["status"],
        False,
        "正常、活动异常、限期停止活动、已注销、已撤销；默认正常。已有组织的状态请用状态变更办理",
        "正常",
    ),
    Column("phone", FIELD_HEADERS["phone"], False, "", "0531-12345678", True),
)

GROUP_COLUMNS: tuple[Column, ...] = (
    Column("name", "名称", True, "同一社区/村内不得重名", EXAMPLE_PREFIX + "解放桥社区舞蹈队"),
    Column(
        "community_code",
        FIELD_HEADERS["community_code"],
        True,
        "备案组织所属社区/村的12位统计用区划代码",
        "370102001002",
        True,
    ),
    Column("category_code", "类别", False, "生活服务、社区事务、文体活动、公益慈善等", "文体活动"),
    Column("legal_representative_name", "负责人", False, "", "李娜"),
    Column("legal_representative_phone", "负责人手机", False, "", "13800000000", True),
    Column("registration_date", "备案日期", True, "日期，如 2024-03-01", dt.date(2023, 4, 1)),
    Column("purpose", "宗旨/活动内容", False, "", "组织居民开展广场舞活动"),
    Column("address", "住所", False, "活动场所地址", "解放桥社区活动中心"),
    Column("phone", "联系电话", False, "", "", True),
    Column("status", "状态", False, "正常、活动异常、已注销等；默认正常", "正常"),
)

COLUMNS = {REGISTERED: REGISTERED_COLUMNS, COMMUNITY_GROUP: GROUP_COLUMNS}
# Required columns: the fields every row of that kind must have (file-level check).
REQUIRED_COLUMNS = {
    kind: tuple(c.field for c in columns if c.required) for kind, columns in COLUMNS.items()
}


def import_kind_for(kind: str) -> str:
    """The organisation kind whose permissions an import kind needs."""
    return Kind.COMMUNITY_GROUP if kind == COMMUNITY_GROUP else Kind.ASSOCIATION


def can_import_any(user: Any) -> bool:
    return any(can_import(user, kind=import_kind_for(k)) for k in IMPORT_KINDS)


def register_import_navigation() -> None:
    """The staff menu item "批量导入" (called from ``OrgsConfig.ready``)."""
    register(
        NavItem(
            label=gettext_lazy("批量导入"),  # type: ignore[arg-type]
            url_name="imports:home",
            visible=can_import_any,
            order=40,
        )
    )


# --- Reading the file ---------------------------------------------------------------------------


def _normalise_header(value: Any) -> str:
    text = str(value if value is not None else "").strip()
    text = text.replace("(", "（").replace(")", "）").replace("*", "").replace("＊", "")
    return re.sub(r"\s+", "", text)


def header_aliases(kind: str) -> dict[str, str]:
    """Accepted header text → field: the template's headers and the standard field labels."""
    aliases = {}
    for column in COLUMNS[kind]:
        aliases[_normalise_header(FIELD_HEADERS[column.field])] = column.field
        aliases[_normalise_header(column.header)] = column.field
    if kind == COMMUNITY_GROUP:
        aliases[_normalise_header("负责人身份证号")] = "legal_representative_id_number"
        aliases[_normalise_header(FIELD_HEADERS["legal_representative_id_number"])] = (
            "legal_representative_id_number"
        )
    return aliases


# --- Validation: the plan -------------------------------------------------------------------------


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
    return unescape_cell(str(value).strip())


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


def _desired_values(cleaned: CleanedOrganization) -> dict[str, Any]:
    """The model values a cleaned row asks for (status excepted: it has its own workflow)."""
    return {
        "kind": cleaned.kind,
        "name": cleaned.name,
        "uscc": cleaned.uscc,
        "category_id": cleaned.category.pk if cleaned.category else None,
        "management_level": cleaned.management_level,
        "authority_region_id": cleaned.authority_region.pk if cleaned.authority_region else None,
        "community_id": cleaned.community.pk if cleaned.community else None,
        "address_code": cleaned.address_code,
        "address": cleaned.address,
        "supervisory_unit": cleaned.supervisory_unit,
        "registered_funds": (
            cleaned.registered_funds.quantize(CENTS)
            if cleaned.registered_funds is not None
            else None
        ),
        "foundation_type": cleaned.foundation_type,
        "certificate_form": cleaned.certificate_form,
        "is_charity": cleaned.is_charity,
        "purpose": cleaned.purpose,
        "business_scope": cleaned.business_scope,
        "activity_area": cleaned.activity_area,
        "registration_date": cleaned.registration_date,
        "phone": cleaned.phone,
    }


def _person_changed(org: Organization, cleaned: CleanedOrganization) -> bool:
    if not cleaned.legal_representative_name:
        return False
    rep = org.legal_representative
    return (
        rep is None
        or rep.name != cleaned.legal_representative_name
        or bool(
            cleaned.legal_representative_id_number
            and rep.id_number != cleaned.legal_representative_id_number
        )
    )


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
    actor: Any,
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
    seen_keys: dict[Any, int] = {}
    seen_names: dict[str, tuple[int, str | None]] = {}
    seen_ids: dict[str, tuple[int, str]] = {}
    memo: dict[tuple[Any, ...], tuple[CleanedOrganization | None, dict[str, str]]] = {}
    decisions: dict[tuple[str, str], Any] = {}
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
            key: Any = cleaned.uscc
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


# What the decision reads of a matching registry record: plain values, not model instances
# (a re-import of 100 k unchanged rows would otherwise build 100 k organisations and people).
DESIRED_FIELDS = (
    "kind",
    *(
        f
        for f in TRACKED_FIELDS
        if f not in ("kind", "legal_representative_id", "status", "status_changed_on")
    ),
)
_EXISTING_FIELDS = (
    "id",
    "status",
    "legal_representative_id",
    "legal_representative__name",
    "legal_representative__id_number",
    *DESIRED_FIELDS,
)
_AT = {name: index for index, name in enumerate(_EXISTING_FIELDS)}


def _existing_for(
    plans: list[RowPlan],
) -> tuple[dict[Any, tuple[Any, ...]], dict[str, str | None]]:
    """Registry records matching the rows (by USCC, or community + name) as value tuples in
    ``_EXISTING_FIELDS`` order, and the names taken by open registered organisations."""
    usccs = [p.cleaned.uscc for p in plans if p.cleaned.uscc]
    community_ids = sorted(
        {p.cleaned.community.pk for p in plans if p.cleaned.community and not p.cleaned.uscc}
    )
    names = sorted({p.cleaned.name for p in plans if p.cleaned.uscc})
    existing: dict[Any, tuple[Any, ...]] = {}
    uscc_at, status_at = _AT["uscc"], _AT["status"]
    code_at, name_at = _AT["address_code"], _AT["name"]
    for chunk in _chunks(usccs):
        for values in Organization.objects.filter(uscc__in=chunk).values_list(*_EXISTING_FIELDS):
            existing[values[uscc_at]] = values
    for chunk in _chunks(community_ids):
        # Prefer the open group when a closed one of the same name also exists.
        groups = Organization.objects.filter(kind=Kind.COMMUNITY_GROUP, community_id__in=chunk)
        for values in groups.order_by("id").values_list(*_EXISTING_FIELDS):
            key = (values[code_at], values[name_at])
            if key not in existing or values[status_at] not in CLOSED_STATUSES:
                existing[key] = values
    taken_names: dict[str, str | None] = {}
    for chunk in _chunks(names):
        rows = Organization.objects.registered().open().filter(name__in=chunk)
        taken_names.update(rows.values_list("name", "uscc"))
    return existing, taken_names


def _persons_for(plans: list[RowPlan]) -> dict[str, Person]:
    ids = sorted(
        {
            p.cleaned.legal_representative_id_number
            for p in plans
            if p.cleaned.legal_representative_id_number
        }
    )
    persons: dict[str, Person] = {}
    for chunk in _chunks(ids):
        persons.update({p.id_number: p for p in Person.objects.filter(id_number__in=chunk)})
    return persons


def _decide(*, actor: Any, plans: list[RowPlan], report: _Reporter) -> list[RowPlan]:
    """Create, update or unchanged for each row, against what the registry holds."""
    existing, taken_names = _existing_for(plans)
    persons = _persons_for(plans)
    report.plan.persons_by_id = persons
    decided = []
    to_update: dict[int, RowPlan] = {}  # organisation id → the row changing it
    for plan in plans:
        cleaned = plan.cleaned
        key = cleaned.uscc or (cleaned.address_code, cleaned.name)
        found = existing.get(key)
        id_number = cleaned.legal_representative_id_number
        person = persons.get(id_number) if id_number else None
        if person is not None and person.name != cleaned.legal_representative_name:
            report.add(
                plan.row,
                "legal_representative_id_number",
                _("该身份证号已登记为“%(name)s”") % {"name": person.name},
            )
            continue
        if cleaned.uscc and taken_names.get(cleaned.name, cleaned.uscc) != cleaned.uscc:
            message = _("名称“%(name)s”已被其他登记组织使用") % {"name": cleaned.name}
            report.add(plan.row, "name", message)
            continue
        if found is None:
            decided.append(plan)
            continue
        if found[_AT["kind"]] != cleaned.kind:
            label = Kind(found[_AT["kind"]]).label
            report.add(
                plan.row, "kind", _("该统一社会信用代码已登记为“%(kind)s”") % {"kind": label}
            )
            continue
        status = found[_AT["status"]]
        if plan.status_given and cleaned.status != status:
            report.add(
                plan.row,
                "status",
                _("状态不能通过导入修改（当前为“%(status)s”），请使用状态变更")
                % {"status": Status(status).label},
            )
            continue
        changed = _person_changed_values(found, cleaned) or any(
            found[_AT[name]] != value for name, value in _desired_values(cleaned).items()
        )
        if changed:
            to_update[found[_AT["id"]]] = plan
        else:
            plan.action = "unchanged"
        decided.append(plan)
    refused: set[int] = set()
    orgs = Organization.objects.select_related("legal_representative").in_bulk(list(to_update))
    for pk, plan in to_update.items():
        org = orgs[pk]
        plan.existing = org
        plan.person_changed = _person_changed(org, plan.cleaned)
        decision = can_edit_organization(actor, org)
        if not decision:
            report.add(plan.row, "uscc" if plan.cleaned.uscc else "name", decision.reason)
            refused.add(plan.row)
            continue
        plan.action = "update"
    return [p for p in decided if p.row not in refused] if refused else decided


def _person_changed_values(found: tuple[Any, ...], cleaned: CleanedOrganization) -> bool:
    """``_person_changed`` on the values of ``_existing_for``."""
    if not cleaned.legal_representative_name:
        return False
    return (
        found[_AT["legal_representative_id"]] is None
        or found[_AT["legal_representative__name"]] != cleaned.legal_representative_name
        or bool(
            cleaned.legal_representative_id_number
            and found[_AT["legal_representative__id_number"]]
            != cleaned.legal_representative_id_number
        )
    )


def import_plan(*, actor: Any, job: ImportJob, progress: bool = False) -> ImportPlan:
    """Read the job's file and decide every row; rows with a problem end up in ``errors``.

    The file is read as a stream of rows (``import_files.read_rows``: checked against every
    limit before it is parsed); only the cleaned rows are kept.
    """
    plan = ImportPlan()
    report = _Reporter(plan, {})

    def counted(rows: int) -> None:
        job.total_rows = rows
        if progress and not transaction.get_connection().in_atomic_block:
            ImportJob.objects.filter(pk=job.pk).update(total_rows=rows)

    with job.file.open("rb") as handle:
        raw = getattr(handle, "file", handle)
        rows = read_rows(raw, job.filename, Limits.from_settings(), counted=counted)
        try:
            header = next(rows, None)
            if header is None:
                report.add(None, "", _("文件是空的"))
                return plan
            mapping = _map_header(job.kind, header, report)
            if mapping is None:
                return plan
            lookups = Lookups.load()
            code_indexes = [
                i for i, f in mapping.items() if f in ("community_code", "authority_region_code")
            ]
            cleaned = _clean_rows(
                actor=actor,
                job=job,
                rows=_with_region_lookups(rows, lookups, code_indexes),
                mapping=mapping,
                report=report,
                lookups=lookups,
                progress=progress,
            )
        except FileRefused as refused:
            plan.errors.clear()
            report.add(None, "", refused.message)
            return plan
        finally:
            rows.close()
    plan.rows = _decide(actor=actor, plans=cleaned, report=report)
    plan.headers = report.headers
    plan.errors.sort(key=lambda e: e["row"] or 0)
    return plan


# --- Services -----------------------------------------------------------------------------------


def import_job_get_for(user: Any, pk: int) -> ImportJob:
    """One import job of the user (superusers see all), or NotFound."""
    job = ImportJob.objects.select_related("created_by").filter(pk=pk).first()
    if job is None or not (
        getattr(user, "is_superuser", False) or job.created_by_id == getattr(user, "pk", None)
    ):
        raise NotFound(_("导入任务不存在"))
    return job


def import_job_list_for(user: Any, *, limit: int = 20) -> list[ImportJob]:
    """The user's most recent import jobs."""
    return list(
        ImportJob.objects.filter(created_by_id=user.pk).order_by("-created_at", "-id")[:limit]
    )


def _runs_in_background(job: ImportJob) -> bool:
    return job.total_rows > settings.NPOHUB_IMPORT_SYNC_LIMIT


def _enqueue(job: ImportJob, task: Any) -> None:
    """Queue ``task`` for the job once the current transaction commits; the job remembers the
    task (its database row tells the sweep whether it still runs)."""

    def send() -> None:
        result = task.enqueue(job.pk)
        ImportJob.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])

    transaction.on_commit(send)


def import_start(*, actor: Any, kind: str, upload: UploadedFile) -> ImportJob:
    """Store an upload as an import job and validate it (inline when small, else as a task).

    Refused before anything is stored: a file over the size limit, an archive that would
    decompress past its limits, a sheet with more rows or columns than allowed (counted from
    the rows themselves, never from the sheet's declared dimension). Rows are counted only up
    to the inline limit here; the worker counts the rest before it parses the file.
    """
    if kind not in IMPORT_KINDS:
        raise ValidationFailed(
            _("请选择导入类型"), details={"kind": _("应为 registered 或 community_group")}
        )
    require(can_import(actor, kind=import_kind_for(kind)))
    filename = (upload.name or "upload.xlsx").rsplit("/", 1)[-1]
    if not filename.lower().endswith(ALLOWED_EXTENSIONS):
        raise ValidationFailed(
            _("请上传 Excel 文件（.xlsx）或 CSV 文件"), details={"file": _("不支持的文件类型")}
        )
    limits = Limits.from_settings()
    check_upload_size(upload.size, limits)
    rows = count_rows(
        getattr(upload, "file", upload),
        filename,
        limits,
        stop_after=settings.NPOHUB_IMPORT_SYNC_LIMIT,
    )
    upload.seek(0)
    job = ImportJob(created_by=actor, kind=kind, filename=filename[:255])
    job.total_rows = rows if rows is not None else max((upload.size or 0) // 100, 1)
    job.file.save(filename, upload, save=False)
    job.save()
    if _runs_in_background(job):
        from .tasks import validate_import_task

        _enqueue(job, validate_import_task)
    else:
        import_validate(job=job)
    return job


def import_validate(*, job: ImportJob, task_id: str = "") -> ImportJob:
    """Validate the job's file and store the preview: counts and every problem by row/column."""
    worker = current_process()
    claim: dict[str, Any] = {
        "status": ImportStatus.VALIDATING,
        "processed_rows": 0,
        "worker": worker,
        "heartbeat_at": timezone.now(),
    }
    if task_id:
        claim["task_id"] = task_id[:64]
    ImportJob.objects.filter(pk=job.pk).update(**claim)
    job.worker = worker
    try:
        plan = import_plan(actor=job.created_by, job=job, progress=True)
    except Exception as exc:
        return _fail(job, exc)
    job.status = ImportStatus.INVALID if plan.errors else ImportStatus.PREVIEW
    job.errors = plan.errors
    job.error_count = len(plan.errors)
    job.summary = plan.summary
    job.total_rows = plan.total_rows
    job.processed_rows = plan.total_rows
    job.message = ""
    job.worker = ""
    ImportJob.objects.filter(pk=job.pk, status=ImportStatus.VALIDATING, worker=worker).update(
        status=job.status,
        errors=job.errors,
        error_count=job.error_count,
        summary=job.summary,
        total_rows=job.total_rows,
        processed_rows=job.processed_rows,
        message="",
        worker="",
    )
    job.refresh_from_db()
    return job


def _fail(job: ImportJob, exc: Exception) -> ImportJob:
    job.status = ImportStatus.FAILED
    job.message = (getattr(exc, "message", None) or str(exc) or exc.__class__.__name__)[:500]
    job.finished_at = timezone.now()
    job.worker = ""
    job.save(update_fields=["status", "message", "finished_at", "worker"])
    return job


def _owned(actor: Any, job: ImportJob) -> None:
    if job.created_by_id != actor.pk and not actor.is_superuser:
        raise NotFound(_("导入任务不存在"))
    require(can_import(actor, kind=import_kind_for(job.kind)))


def import_commit_request(*, actor: Any, job: ImportJob) -> ImportJob:
    """Commit a previewed job, or one whose commit failed (a retry): inline when small, else
    queue it (the page polls progress). A job whose process died is failed first (sweep)."""
    _owned(actor, job)
    import_jobs_sweep(job_ids=[job.pk])
    job.refresh_from_db()
    retry = job.status == ImportStatus.FAILED and job.attempts > 0
    if job.status in RUNNING_STATUSES:
        raise Conflict(_("该任务已在导入中"), code="import.not_ready")
    if not (job.status == ImportStatus.PREVIEW or retry) or job.error_count:
        raise Conflict(_("只有校验通过且未导入的任务可以确认导入"), code="import.not_ready")
    updated = ImportJob.objects.filter(pk=job.pk, status=job.status, attempts=job.attempts).update(
        status=ImportStatus.COMMITTING,
        processed_rows=0,
        attempts=F("attempts") + 1,
        message="",
        finished_at=None,
        worker="",
        heartbeat_at=timezone.now(),
        task_id="",
    )
    if not updated:
        raise Conflict(_("该任务已在导入中"), code="import.not_ready")
    job.refresh_from_db()
    if _runs_in_background(job):
        from .tasks import commit_import_task

        _enqueue(job, commit_import_task)
        return job
    return import_commit(actor=actor, job=job)


def import_retry(*, actor: Any, job: ImportJob) -> ImportJob:
    """Run a failed job again from where it failed: the commit when writing failed (nothing
    was written), else the validation."""
    _owned(actor, job)
    import_jobs_sweep(job_ids=[job.pk])
    job.refresh_from_db()
    if job.status != ImportStatus.FAILED:
        raise Conflict(_("只有失败的任务可以重试"), code="import.not_retryable")
    with transaction.atomic():
        audit_record(
            actor=actor,
            kind="orgs.import_retried",
            target=job,
            payload={"stage": "commit" if job.attempts else "validate", "message": job.message},
        )
    if job.attempts:
        return import_commit_request(actor=actor, job=job)
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.FAILED, attempts=0).update(
        status=ImportStatus.PENDING,
        processed_rows=0,
        message="",
        finished_at=None,
        worker="",
        heartbeat_at=timezone.now(),
        task_id="",
    )
    if not updated:
        raise Conflict(_("该任务已在导入中"), code="import.not_ready")
    job.refresh_from_db()
    if _runs_in_background(job):
        from .tasks import validate_import_task

        _enqueue(job, validate_import_task)
        return job
    return import_validate(job=job)


class _Superseded(Exception):
    """The job stopped being this process's to commit (marked lost meanwhile)."""


def import_commit(*, actor: Any, job: ImportJob, task_id: str = "") -> ImportJob:
    """Write the whole file in one transaction, or nothing (job marked failed or invalid).

    The process claims the job (``worker``, heartbeat); the write transaction starts by locking
    the job row, and only writes if the job is still this process's "committing" job.
    """
    worker = current_process()
    claim: dict[str, Any] = {"worker": worker, "heartbeat_at": timezone.now()}
    if task_id:
        claim["task_id"] = task_id[:64]
    if not ImportJob.objects.filter(pk=job.pk, status=ImportStatus.COMMITTING).update(**claim):
        job.refresh_from_db()
        return job
    job.worker = worker
    try:
        # Read and clean the file before taking the write lock; under the lock, decide again
        # against the registry as it is now (the file is re-read only if regions or categories
        # the rows use have changed meanwhile).
        plan = import_plan(actor=actor, job=job)
        if plan.errors:
            raise _StillInvalid(plan)
        with transaction.atomic():
            mine = ImportJob.objects.select_for_update().filter(
                pk=job.pk, status=ImportStatus.COMMITTING, worker=worker
            )
            if not mine.exists():
                raise _Superseded
            if _lookups_changed(plan):
                plan = import_plan(actor=actor, job=job)
            else:
                plan = _redecide(actor=actor, plan=plan)
            if plan.errors:
                raise _StillInvalid(plan)
            _write(actor=actor, job=job, plan=plan)
    except _Superseded:
        job.refresh_from_db()
        return job
    except _StillInvalid as invalid:
        job.status = ImportStatus.INVALID
        job.errors = invalid.plan.errors
        job.error_count = len(invalid.plan.errors)
        job.summary = invalid.plan.summary
        job.message = _("数据已变化，请按错误修改后重新上传")
        job.worker = ""
        job.save(update_fields=["status", "errors", "error_count", "summary", "message", "worker"])
        return job
    except Exception as exc:
        return _fail(job, exc)
    return job


def _lookups_changed(plan: ImportPlan) -> bool:
    """Whether a region or category the cleaned rows refer to changed or went inactive."""
    regions: dict[int, tuple[str, int]] = {}
    categories: set[int] = set()
    for row in plan.rows:
        cleaned = row.cleaned
        for region in (cleaned.community, cleaned.authority_region):
            if region is not None:
                regions[region.pk] = (region.code, region.level)
        if cleaned.category is not None:
            categories.add(cleaned.category.pk)
    found: dict[int, tuple[str, int]] = {}
    for chunk in _chunks(sorted(regions)):
        rows = Region.objects.active().filter(pk__in=chunk).values_list("pk", "code", "level")
        found.update({pk: (code, level) for pk, code, level in rows})
    active = set(
        Category.objects.filter(pk__in=sorted(categories), is_active=True).values_list(
            "pk", flat=True
        )
    )
    return found != regions or active != categories


def _redecide(*, actor: Any, plan: ImportPlan) -> ImportPlan:
    """The plan's cleaned rows decided again (create / update / unchanged) against the registry."""
    fresh = ImportPlan(total_rows=plan.total_rows, headers=plan.headers)
    report = _Reporter(fresh, dict(plan.headers))
    for row in plan.rows:
        row.existing, row.action, row.person_changed = None, "create", False
    fresh.rows = _decide(actor=actor, plans=plan.rows, report=report)
    fresh.errors.sort(key=lambda e: e["row"] or 0)
    return fresh


class _StillInvalid(Exception):
    def __init__(self, plan: ImportPlan) -> None:
        super().__init__("invalid")
        self.plan = plan


# --- Writing ------------------------------------------------------------------------------------


# A run of characters that have pinyin (pypinyin segments and converts each run on its own).
_HAN_RUN = re.compile(RE_HANS.pattern.removeprefix("^").removesuffix("$"))


@functools.lru_cache(maxsize=50_000)
def _word_initials(word: str) -> str:
    return "".join(s[0] for s in lazy_pinyin(word, style=Style.NORMAL, errors="ignore") if s)


@functools.lru_cache(maxsize=50_000)
def _run_initials(run: str) -> str:
    """pypinyin cuts a run into dictionary phrases and single characters (greedy longest match,
    ``mmseg.seg``) and converts each piece on its own: the initials of a run are those of its
    pieces, and the pieces ("解放桥", "社区", "舞蹈队") repeat across a file far more than runs."""
    return "".join(map(_word_initials, mmseg.seg.cut(run)))


def fast_name_initials(name: str) -> str:
    """``search.name_initials`` of one name, with the pinyin of each piece of each run of Chinese
    characters remembered: group names repeat the same pieces ("解放桥社区" + "舞蹈队")."""
    return "".join(_run_initials(run) for run in _HAN_RUN.findall(name)).lower()


def _persons_to_create(plan: ImportPlan, now: dt.datetime) -> dict[int, int]:
    """Row → Person id for each row that needs a person; new people are inserted in bulk."""
    by_row: dict[int, int] = {}
    new_rows: list[tuple[Any, ...]] = []
    new_for_row: dict[int, int] = {}  # row → index into new_rows
    by_id: dict[str, int] = {k: p.pk for k, p in plan.persons_by_id.items()}
    new_by_id: dict[str, int] = {}
    for row in plan.rows:
        cleaned = row.cleaned
        if not cleaned.legal_representative_name:
            continue
        if row.action == "unchanged" or (row.action == "update" and not row.person_changed):
            continue
        id_number = cleaned.legal_representative_id_number
        if id_number and id_number in by_id:
            by_row[row.row] = by_id[id_number]
            continue
        if id_number and id_number in new_by_id:
            new_for_row[row.row] = new_by_id[id_number]
            continue
        index = len(new_rows)
        new_rows.append(
            (
                now,
                now,
                cleaned.legal_representative_name,
                id_number,
                cleaned.legal_representative_phone,
            )
        )
        new_for_row[row.row] = index
        if id_number:
            new_by_id[id_number] = index
    ids = bulk.insert_rows(Person, PERSON_FIELDS, new_rows)
    for row_number, index in new_for_row.items():
        by_row[row_number] = ids[index]
    return by_row


PERSON_FIELDS = ("created_at", "updated_at", "name", "id_number", "phone")
EVENT_FIELDS = (
    "occurred_at",
    "actor_id",
    "actor_label",
    "on_behalf_of",
    "on_behalf_of_ref",
    "kind",
    "target_type",
    "target_id",
    "target_label",
    "organization_id",
    "region_code",
    "payload",
)
CHANGE_FIELDS = (
    "organization_id",
    "field",
    "old_value",
    "new_value",
    "changed_at",
    "audit_event_id",
)


# The columns a new organisation takes from its row; every other column gets its default.
NEW_ORG_FIELDS = (
    "kind",
    "name",
    "name_initials",
    "name_pinyin",
    "uscc",
    "category_id",
    "management_level",
    "authority_region_id",
    "community_id",
    "address_code",
    "address",
    "supervisory_unit",
    "legal_representative_id",
    "registered_funds",
    "foundation_type",
    "certificate_form",
    "is_charity",
    "purpose",
    "business_scope",
    "activity_area",
    "registration_date",
    "status",
    "phone",
)


def _new_org_rows(creates: list[RowPlan], persons: dict[int, int]) -> list[tuple[Any, ...]]:
    """The column values of each new organisation, in ``NEW_ORG_FIELDS`` order
    (the same values as ``_desired_values``, without building a dict per row)."""
    rows = []
    for row in creates:
        c = row.cleaned
        funds = c.registered_funds
        rows.append(
            (
                c.kind,
                c.name,
                fast_name_initials(c.name),
                name_pinyin(c.name),
                c.uscc,
                c.category.pk if c.category else None,
                c.management_level,
                c.authority_region.pk if c.authority_region else None,
                c.community.pk if c.community else None,
                c.address_code,
                c.address,
                c.supervisory_unit,
                persons.get(row.row),
                funds.quantize(CENTS) if funds is not None else None,
                c.foundation_type,
                c.certificate_form,
                c.is_charity,
                c.purpose,
                c.business_scope,
                c.activity_area,
                c.registration_date,
                c.status,
                c.phone,
            )
        )
    return rows


def _rollup_deltas(deltas: Counter[tuple[str, str, str]]) -> None:
    """Apply aggregated count changes to every region above each address, in bulk."""
    by_region: Counter[tuple[str, int, str, str]] = Counter()
    for (address_code, kind, status), delta in deltas.items():
        if not address_code or not delta:
            continue
        for level, code in ancestors(address_code):
            by_region[(code, level, kind, status)] += delta
    codes = sorted({key[0] for key in by_region})
    current: dict[tuple[str, str, str], OrgRollup] = {}
    for chunk in _chunks(codes):
        for rollup in OrgRollup.objects.filter(region_code__in=chunk):
            current[(rollup.region_code, rollup.kind, rollup.status)] = rollup
    changed: list[OrgRollup] = []
    created: list[OrgRollup] = []
    for (code, level, kind, status), delta in by_region.items():
        if not delta:
            continue
        found = current.get((code, kind, status))
        if found is None:
            created.append(
                OrgRollup(region_code=code, level=level, kind=kind, status=status, count=delta)
            )
        else:
            found.count += delta
            changed.append(found)
    OrgRollup.objects.bulk_update(changed, ["count"], batch_size=500)
    OrgRollup.objects.bulk_create(created, batch_size=2000)


UPDATE_FIELDS = [
    *[f for f in TRACKED_FIELDS if f not in ("status", "status_changed_on")],
    "former_names",
    "name_initials",
    "name_pinyin",
    "updated_at",
]


def _insert_org_events(rows: list[tuple[Any, ...]]) -> list[int]:
    """The per-organisation audit events (created / updated), in bulk; their ids in order."""
    return bulk.insert_rows(AuditEvent, EVENT_FIELDS, rows)


def _write(*, actor: Any, job: ImportJob, plan: ImportPlan) -> None:
    now = timezone.now()
    persons = _persons_to_create(plan, now)
    creates = [r for r in plan.rows if r.action == "create"]
    updates = [r for r in plan.rows if r.action == "update"]
    org_rows = _new_org_rows(creates, persons)
    with bulk.search_index_deferred() as search_index:
        new_ids = bulk.insert_rows(
            Organization,
            NEW_ORG_FIELDS,
            org_rows,
            constants={"created_at": now, "updated_at": now, "former_names": []},
        )
        search_index.inserted(new_ids)
    address_at = NEW_ORG_FIELDS.index("address_code")
    kind_at, status_at = NEW_ORG_FIELDS.index("kind"), NEW_ORG_FIELDS.index("status")
    deltas: Counter[tuple[str, str, str]] = Counter(
        (r[address_at], r[kind_at], r[status_at]) for r in org_rows
    )
    befores: list[tuple[Organization, dict[str, Any]]] = []
    for row in updates:
        org = row.existing
        assert org is not None
        before = organization_snapshot(org)
        old_name, old_code = org.name, org.address_code
        for name, value in _desired_values(row.cleaned).items():
            setattr(org, name, value)
        if row.person_changed:
            org.legal_representative_id = persons.get(row.row)
        if org.name != old_name:
            org.former_names = [
                *org.former_names,
                {"name": old_name, "until": timezone.localdate().isoformat()},
            ]
        former = [e["name"] for e in org.former_names if isinstance(e, dict) and "name" in e]
        org.name_initials = name_initials(org.name, *former)
        org.name_pinyin = name_pinyin(org.name)
        org.updated_at = now
        if old_code != org.address_code:
            deltas[(old_code, org.kind, org.status)] -= 1
            deltas[(org.address_code, org.kind, org.status)] += 1
        befores.append((org, before))
    Organization.objects.bulk_update([o for o, _ in befores], UPDATE_FIELDS, batch_size=500)
    _rollup_deltas(deltas)

    summary = plan.summary
    audit_record(
        actor=actor,
        kind="orgs.import_committed",
        target=job,
        payload={"filename": job.filename, "import_kind": job.kind, **summary},
    )
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    label = actor_label_for(actor)[:150]
    ref = {"import_job": job.pk}
    name_at = NEW_ORG_FIELDS.index("name")
    events: list[tuple[Any, ...]] = [
        (
            now,
            actor_id,
            label,
            "",
            "",
            "orgs.organization_created",
            "orgs.organization",
            str(pk),
            r[name_at][:200],
            pk,
            r[address_at],
            ref,
        )
        for pk, r in zip(new_ids, org_rows, strict=True)
    ]
    changes_by_org = []
    for org, before in befores:
        after = organization_snapshot(org)
        changes = {k: [before[k], after[k]] for k in TRACKED_FIELDS if before[k] != after[k]}
        events.append(
            (
                now,
                actor_id,
                label,
                "",
                "",
                "orgs.organization_updated",
                "orgs.organization",
                str(org.pk),
                org.name[:200],
                org.pk,
                org.address_code,
                {**ref, "fields": sorted(changes)},
            )
        )
        changes_by_org.append((org, changes))
    event_ids = _insert_org_events(events)
    update_event_ids = event_ids[len(new_ids) :]
    bulk.insert_rows(
        FieldChange,
        CHANGE_FIELDS,
        [
            (org.pk, name, old, new, now, event_id)
            for (org, changes), event_id in zip(changes_by_org, update_event_ids, strict=True)
            for name, (old, new) in changes.items()
        ],
    )
    job.status = ImportStatus.DONE
    job.summary = summary
    job.finished_at = now
    job.processed_rows = plan.total_rows
    job.message = ""
    job.worker = ""
    job.save(
        update_fields=["status", "summary", "finished_at", "processed_rows", "message", "worker"]
    )
