"""Exported spreadsheets never carry a live formula: texts starting with = + - @ are quoted."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from npohub.core.spreadsheets import escape_cell, escape_row, unescape_cell

HYPERLINK = '=HYPERLINK("http://evil.example/x","点击查看")'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        ("+86 531 1234", "'+86 531 1234"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("济南市历下区解放路2号", "济南市历下区解放路2号"),
        ("", ""),
        (-5, -5),
        (None, None),
    ],
)
def test_formula_triggers_are_quoted_and_everything_else_is_left_alone(value, expected):
    assert escape_cell(value) == expected
    assert unescape_cell(escape_cell(value)) == value


def test_a_row_is_escaped_cell_by_cell():
    assert escape_row(["=1", 2, "a"]) == ["'=1", 2, "a"]


@pytest.fixture
def hostile_address(orgs):
    org = orgs["assoc"]
    org.address = HYPERLINK
    org.save(update_fields=["address"])
    return org


def test_the_excel_export_writes_a_hostile_address_as_quoted_text_not_a_formula(
    client, cast, hostile_address
):
    client.force_login(cast["city"])
    response = client.get(reverse("imports:export"), {"kind": "association"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [cell for row in workbook.active.iter_rows() for cell in row]
    hostile = [cell for cell in cells if "HYPERLINK" in str(cell.value)]
    assert hostile, "the organisation is in the export"
    for cell in hostile:
        assert cell.data_type == "s"  # a string, not "f" (formula)
        assert cell.value == "'" + HYPERLINK
    assert not any(cell.data_type == "f" for cell in cells)


def test_the_csv_export_quotes_a_hostile_address(client, cast, hostile_address):
    client.force_login(cast["city"])
    response = client.get(reverse("imports:export"), {"kind": "association", "format": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'" + HYPERLINK in cells
    assert HYPERLINK not in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
