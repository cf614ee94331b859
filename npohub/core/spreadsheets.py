"""Cells that leave the platform in a spreadsheet never run as formulas.

A text such as ``=HYPERLINK("http://evil.example/x","点击查看")`` typed into an address would
otherwise become a live formula in Excel or WPS (openpyxl even writes a text starting with ``=``
as a formula). Every export (xlsx and CSV) passes its cells through ``escape_cell``: a text that
starts with ``= + - @``, a tab or a carriage return gets a leading single quote, the usual
spreadsheet marker for "this is text" (OWASP's CSV-injection advice). Numbers and dates are left
alone. Imports pass cells through ``unescape_cell``, so an exported file imports back unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def escape_cell(value: Any) -> Any:
    """``value`` with a leading quote when it is a text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return QUOTE + value
    return value


def escape_row(values: Iterable[Any]) -> list[Any]:
    return [escape_cell(value) for value in values]


def unescape_cell(value: Any) -> Any:
    """The inverse of ``escape_cell`` for a cell read back from an exported file."""
    if isinstance(value, str) and value[:1] == QUOTE and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value
