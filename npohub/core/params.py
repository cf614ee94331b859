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
from decimal import Decimal, InvalidOperation
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


# Decimals ---------------------------------------------------------------------------------
# A DecimalField(max_digits=m, decimal_places=d) holds |x| < 10^(m-d). SQLite does not enforce
# it: a larger value is stored and every later read of the row fails (the converter cannot
# quantize it), so each decimal input is bounded here and by a CheckConstraint on the model.


class DecimalOutOfRange(ValueError):
    """A decimal input that is not a number, or one its column cannot hold; ``code`` says which."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code  # "not_a_number" | "too_large" | "too_small" | "too_many_places"


def decimal_limit(max_digits: int, decimal_places: int) -> int:
    """The first magnitude a ``DecimalField(max_digits, decimal_places)`` cannot hold."""
    return int(10 ** (max_digits - decimal_places))


def parse_decimal(
    value: Any,
    *,
    max_digits: int,
    decimal_places: int,
    minimum: Decimal | int | None = None,
    maximum: Decimal | int | None = None,
) -> Decimal | None:
    """``value`` as a Decimal a ``DecimalField(max_digits, decimal_places)`` can store.

    ``None``/blank is ``None``; thousands separators (, ，) are dropped. Raises
    ``DecimalOutOfRange`` for text that is not a finite number (also NaN/Infinity), a magnitude
    of ``10^(max_digits-decimal_places)`` or more, more than ``decimal_places`` places, or a
    value outside [minimum, maximum]. At most 100 characters are converted.
    """
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        raise DecimalOutOfRange("not_a_number")
    if isinstance(value, Decimal):
        number = value
    else:
        text = str(value).strip().replace(",", "").replace("，", "")
        if text == "":
            return None
        if len(text) > 100:
            raise DecimalOutOfRange("too_large")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise DecimalOutOfRange("not_a_number") from None
    if not number.is_finite():
        raise DecimalOutOfRange("not_a_number")
    limit = decimal_limit(max_digits, decimal_places)
    if number >= limit or (maximum is not None and number > maximum):
        raise DecimalOutOfRange("too_large")
    if number <= -limit or (minimum is not None and number < minimum):
        raise DecimalOutOfRange("too_small")
    exponent = number.as_tuple().exponent
    if (
        isinstance(exponent, int)
        and exponent < -decimal_places
        and number != number.quantize(Decimal(1).scaleb(-decimal_places))
    ):
        raise DecimalOutOfRange("too_many_places")
    return number


class BoundedDecimalField(forms.DecimalField):
    """A form decimal field bounded by its column: a value the column cannot hold is a form error.

    ``BoundedDecimalField(max_digits=16, decimal_places=2)`` refuses 1e99 (``forms.DecimalField``
    with only ``max_digits`` also does, but many fields had neither bound).
    """

    def __init__(self, *, max_digits: int, decimal_places: int, **kwargs: Any) -> None:
        limit = Decimal(decimal_limit(max_digits, decimal_places))
        step = Decimal(1).scaleb(-decimal_places)
        kwargs.setdefault("max_value", limit - step)
        kwargs.setdefault("min_value", -(limit - step))
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)


# Database constraints ----------------------------------------------------------------------
# Both engines refuse what the columns cannot hold: decimals by magnitude (SQLite stores any
# number), texts by length (SQLite ignores max_length), counts by a domain maximum.


def decimal_within(field: str, max_digits: int, decimal_places: int, *, name: str) -> Any:
    """CheckConstraint: ``field`` is NULL or |field| < 10^(max_digits-decimal_places)."""
    from django.db.models import CheckConstraint, Q

    limit = decimal_limit(max_digits, decimal_places)
    return CheckConstraint(
        condition=Q(**{f"{field}__isnull": True})
        | Q(**{f"{field}__lt": limit, f"{field}__gt": -limit}),
        name=name,
    )


def length_within(field: str, max_length: int, *, name: str) -> Any:
    """CheckConstraint: ``field`` has at most ``max_length`` characters (NULL passes)."""
    from django.db.models import CheckConstraint
    from django.db.models.functions import Length
    from django.db.models.lookups import LessThanOrEqual

    return CheckConstraint(condition=LessThanOrEqual(Length(field), max_length), name=name)


def int_within(field: str, minimum: int, maximum: int, *, name: str) -> Any:
    """CheckConstraint: ``field`` is NULL or within [minimum, maximum]."""
    from django.db.models import CheckConstraint, Q

    return CheckConstraint(
        condition=Q(**{f"{field}__isnull": True})
        | Q(**{f"{field}__gte": minimum, f"{field}__lte": maximum}),
        name=name,
    )


# The largest value a PositiveIntegerField holds on PostgreSQL (integer).
DB_INT32_MAX = 2**31 - 1


def decimal_problem(
    value: Any,
    *,
    max_digits: int,
    decimal_places: int,
    minimum: Decimal | int | None = None,
    maximum: Decimal | int | None = None,
) -> str | None:
    """What is wrong with a decimal input, in words for the field's error, or ``None``.

    Services call it before saving so an out-of-range amount is a ``ValidationFailed`` naming
    the field, whatever door it came through (form, API, import, another app's service).
    """
    from django.utils.translation import gettext as _

    try:
        parse_decimal(
            value,
            max_digits=max_digits,
            decimal_places=decimal_places,
            minimum=minimum,
            maximum=maximum,
        )
    except DecimalOutOfRange as exc:
        if exc.code == "not_a_number":
            return _("请输入数字")
        if exc.code == "too_many_places":
            return _("最多保留%(places)s位小数") % {"places": decimal_places}
        if exc.code == "too_small":
            if minimum is not None and minimum >= 0:
                return _("不能为负数") if minimum == 0 else _("不能小于%(min)s") % {"min": minimum}
            return _("超出允许范围")
        limit = maximum if maximum is not None else decimal_limit(max_digits, decimal_places)
        return _("数值过大（须小于%(limit)s）") % {"limit": f"{limit:,}"}
    return None
