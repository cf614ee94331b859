"""Spreadsheets out: the import templates and exports of any (scoped) organisation list.

Exports use the import template's columns, so an export can be corrected and imported again.
ID numbers and phones (the organisation's contact phone too, as on its page) are masked unless
``can_see_personal_data`` allows them.
The files are in Chinese whatever the interface language: headers, choice labels and notes are
what the import reads and what users type.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from npohub.accounts.models import Viewer
from npohub.core.i18n import in_source_language, short_label
from npohub.core.params import query_text, query_year
from npohub.core.spreadsheets import escape_cell, escape_row
from npohub.core.validators import mask_id_number, mask_phone
from npohub.regions.codes import is_valid, prefix_of

from .imports import COLUMNS, COMMUNITY_GROUP, EXAMPLE_PREFIX, IMPORT_KINDS, REGISTERED, Column
from .models import (
    Category,
    CertificateForm,
    FoundationType,
    Kind,
    ManagementLevel,
    Organization,
    Status,
)
from .permissions import PERSONAL_ID_FIELDS, PERSONAL_PHONE_FIELDS, can_see_personal_data
from .selectors import ORDERINGS, OrganizationFilters, organization_list_for

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

# Where each template column's value comes from in ``Organization.objects.values_list``.
SOURCES = {
    "kind": "kind",
    "name": "name",
    "uscc": "uscc",
    "category_code": "category__name",
    "management_level": "management_level",
    "authority_region_code": "authority_region__code",
    "community_code": "community__code",
    "address": "address",
    "supervisory_unit": "supervisory_unit",
    "legal_representative_name": "legal_representative__name",
    "legal_representative_id_number": "legal_representative__id_number",
    "legal_representative_phone": "legal_representative__phone",
    "registered_funds": "registered_funds",
    "foundation_type": "foundation_type",
    "certificate_form": "certificate_form",
    "is_charity": "is_charity",
    "purpose": "purpose",
    "business_scope": "business_scope",
    "activity_area": "activity_area",
    "registration_date": "registration_date",
    "status": "status",
    "phone": "phone",
}
_CHOICES: dict[str, Any] = {
    "kind": Kind,
    "management_level": ManagementLevel,
    "foundation_type": FoundationType,
    "certificate_form": CertificateForm,
    "status": Status,
}


def _labels() -> dict[str, dict[str, str]]:
    """Choice value → its Chinese label (the kind without its bracketed note), per column."""
    labels = {
        name: {str(value): in_source_language(label) for value, label in choices.choices}
        for name, choices in _CHOICES.items()
    }
    labels["kind"] = {value: short_label(text) for value, text in labels["kind"].items()}
    return labels


def filters_from_query(query: Mapping[str, Any]) -> OrganizationFilters:
    """List filters from query parameters: region, kind, category, status, level, year, q, order.

    Unknown or malformed values are ignored (the list shows everything the user may see).
    """

    def get(name: str) -> str:
        return query_text(query, name)

    region = get("region")
    region = prefix_of(region) if region and is_valid(region) else ""
    kind, status, level, order = get("kind"), get("status"), get("level"), get("order")
    return OrganizationFilters(
        region_prefix=region,
        kind=kind if kind in Kind.values else "",
        category=get("category")[:40],
        status=status if status in Status.values else "",
        management_level=level if level in ManagementLevel.values else "",
        registered_year=query_year(query),
        search=get("q"),
        order=order if order in ORDERINGS else "name",
    )


def _columns_for(filters: OrganizationFilters) -> tuple[Column, ...]:
    return COLUMNS[COMMUNITY_GROUP if filters.kind == Kind.COMMUNITY_GROUP else REGISTERED]


def export_records(user: Viewer, filters: OrganizationFilters) -> Any:
    """The list's organisations (the list page's selector) as the export's value rows."""
    sources = [SOURCES[c.field] for c in _columns_for(filters)]
    return organization_list_for(user, filters).values_list(*sources, "address_code")


def row_builder(user: Viewer, filters: OrganizationFilters) -> Callable[[Any], list[Any]]:
    """Turns one of :func:`export_records`' value rows into the export's row: choice labels,
    是/否, ID numbers and phones masked where the user may not see them."""
    fields = [c.field for c in _columns_for(filters)]
    personal_ok = bool(can_see_personal_data(user))
    allowed_at: dict[str, bool] = {}
    labels = _labels()

    def may_see(address_code: str) -> bool:
        if address_code not in allowed_at:
            probe = Organization(address_code=address_code)
            allowed_at[address_code] = bool(can_see_personal_data(user, probe))
        return allowed_at[address_code]

    def build(values: Any) -> list[Any]:
        visible = personal_ok and may_see(values[-1])
        row = []
        for name, value in zip(fields, values, strict=False):
            if name in labels:
                value = labels[name].get(value, value)
            elif name == "is_charity":
                value = "是" if value else "否"
            elif name in PERSONAL_ID_FIELDS and not visible:
                value = mask_id_number(value or "")
            elif name in PERSONAL_PHONE_FIELDS and not visible:
                value = mask_phone(value or "")
            row.append("" if value is None else escape_cell(value))
        return row

    return build


def export_rows(user: Viewer, filters: OrganizationFilters) -> Iterator[list[Any]]:
    """Header then one row per organisation the user may see under the filters; texts that a
    spreadsheet would run as a formula (``=…``, ``+…``, ``-…``, ``@…``) are quoted."""
    yield escape_row(c.header for c in _columns_for(filters))
    build = row_builder(user, filters)
    for values in export_records(user, filters).iterator(chunk_size=2000):
        yield build(values)


def export_xlsx(user: Viewer, filters: OrganizationFilters) -> IO[bytes]:
    """The list as .xlsx (openpyxl write-only, spooled to a temporary file); rewound."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("社会组织")
    for row in export_rows(user, filters):
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - returned open for the response
    workbook.save(handle)
    handle.seek(0)
    return handle


def _csv_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def export_csv(user: Viewer, filters: OrganizationFilters) -> Iterator[str]:
    """The list as CSV text chunks, UTF-8 with a BOM so Excel shows the Chinese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    for index, row in enumerate(export_rows(user, filters)):
        writer.writerow([_csv_value(v) for v in row])
        if index % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def export_filename(filters: OrganizationFilters, extension: str) -> str:
    stamp = dt.datetime.now(tz=dt.UTC).astimezone().strftime("%Y%m%d-%H%M")
    label = "备案社区社会组织" if filters.kind == Kind.COMMUNITY_GROUP else "社会组织"
    return f"{label}-{stamp}.{extension}"


# --- Import templates -------------------------------------------------------------------------

TEXT_ROWS = 1000  # rows formatted as text in code columns, so long numbers keep every digit


def template_workbook(kind: str) -> bytes:
    """The import template for ``kind``: a data sheet (header, example row) and a notes sheet."""
    columns = COLUMNS[kind]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "组织信息"
    bold, red = Font(bold=True), Font(bold=True, color="B3261E")
    fill = PatternFill("solid", fgColor="F6F8FA")
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = red if column.required else bold
        cell.fill = fill
        example = sheet.cell(row=2, column=index, value=column.example)
        if isinstance(column.example, dt.date):
            example.number_format = "yyyy-mm-dd"
        if column.is_text:
            for row in range(2, TEXT_ROWS + 2):
                sheet.cell(row=row, column=index).number_format = "@"
        letter = example.column_letter
        sheet.column_dimensions[letter].width = max(12, min(40, len(column.header) * 2 + 4))
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet("填写说明")
    notes.append(["列名", "是否必填", "说明"])
    for cell in notes[1]:
        cell.font = bold
    for column in columns:
        notes.append([column.header, "必填" if column.required else "", column.note])
    notes.append([])
    notes.append(
        [
            "说明",
            "",
            f"第一行为列名，请勿修改；第2行为示例（名称以“{EXAMPLE_PREFIX}”开头的行不会导入），可删除。",
        ]
    )
    notes.append(["", "", "红色列名为必填列。区划代码、身份证号、统一社会信用代码请按文本填写。"])
    notes.append(
        [
            "",
            "",
            "已有组织按统一社会信用代码（登记组织）或社区+名称（备案组织）匹配：有变化的更新，无变化的跳过；重复导入同一文件不会产生变化。",
        ]
    )
    notes.append(["", "", "任何一行有错误时整个文件都不会导入；请按错误列表修改后重新上传。"])
    notes.append([])
    notes.append(
        [
            "类别可选值",
            "",
            escape_cell(
                "、".join(Category.objects.filter(is_active=True).values_list("name", flat=True))
            ),
        ]
    )
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_filename(kind: str) -> str:
    return f"导入模板-{in_source_language(IMPORT_KINDS[kind])}.xlsx"
