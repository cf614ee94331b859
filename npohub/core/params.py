"""Bounded parsing of request parameters: malformed or out-of-range values never reach the
database or the calendar.

Query strings come from anyone (links, bookmarks, scanners). A parameter that is not a number,
a number beyond what the database stores (SQLite raises ``OverflowError`` past 2⁶³−1), a year
that ``datetime.date`` cannot hold, or a text with a NUL byte (PostgreSQL refuses it) is treated
as absent: the page falls back to its default instead of answering 500. Form fields for ids and
years use the same bounds (``IdField``; years have ``YEAR_MIN``/``YEAR_MAX``); the API's are in
``npohub.api.types``.
Page numbers need nothing here: ``Paginator.get_page`` already turns a malformed or huge one
into the first or last page, and the API bounds ``page``/``offset`` in ``PageParams``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

# The largest value a 64-bit signed column holds (BigAutoField ids, bigint counters).
DB_INT_MAX = 2**63 - 1
# Years the platform deals in: the registration records start in 1949; 2100 is far enough.
YEAR_MIN = 1949
YEAR_MAX = 2100
# Characters no text parameter may carry (PostgreSQL refuses NUL in a string).
FORBIDDEN_CHARACTERS = "\x00"


def _raw(query: Mapping[str, Any], name: str) -> str:
    value = query.get(name)
    if value is None:
        return ""
    return str(value).strip()


def parse_int(
    value: Any, default: int | None = None, *, minimum: int = -DB_INT_MAX, maximum: int = DB_INT_MAX
) -> int | None:
    """``value`` as an int within [minimum, maximum], else ``default``.

    Only ASCII digits count (``"²".isdigit()`` is true but ``int("²")`` fails), with an optional
    leading minus; at most 19 digits, so a thousand-digit string is never converted.
    """
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        digits = text[1:] if text.startswith("-") else text
        if not digits or len(digits) > 19 or not (digits.isascii() and digits.isdigit()):
            return default
        number = int(text)
    return number if minimum <= number <= maximum else default


def query_int(
    query: Mapping[str, Any],
    name: str,
    default: int | None = None,
    *,
    minimum: int = -DB_INT_MAX,
    maximum: int = DB_INT_MAX,
) -> int | None:
    """An integer query parameter within bounds, else ``default``."""
    return parse_int(_raw(query, name), default, minimum=minimum, maximum=maximum)


def query_id(query: Mapping[str, Any], name: str) -> int | None:
    """A database id (1 … 2⁶³−1) from the query, else ``None``."""
    return parse_int(_raw(query, name), None, minimum=1, maximum=DB_INT_MAX)


def query_year(query: Mapping[str, Any], name: str = "year", default: Any = None) -> Any:
    """A year between ``YEAR_MIN`` and ``YEAR_MAX`` from the query, else ``default``."""
    return parse_int(_raw(query, name), default, minimum=YEAR_MIN, maximum=YEAR_MAX)


def query_text(query: Mapping[str, Any], name: str, max_length: int = 100) -> str:
    """A trimmed text parameter without forbidden characters, cut to ``max_length``."""
    return clean_text(_raw(query, name))[:max_length]


def clean_text(value: str) -> str:
    """``value`` without the characters no stored or searched text may carry."""
    for char in FORBIDDEN_CHARACTERS:
        value = value.replace(char, "")
    return value


def has_forbidden_characters(value: str) -> bool:
    return any(char in value for char in FORBIDDEN_CHARACTERS)


class IdField(forms.IntegerField):
    """A form field holding a database id: 1 … 2⁶³−1, so a huge number is a form error."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", DB_INT_MAX)
        super().__init__(**kwargs)
