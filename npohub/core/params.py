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

import functools
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


def int_within(field: str, minimum: int | Decimal, maximum: int | Decimal, *, name: str) -> Any:
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


# The longest free text a TextField keeps (a decision, a description, a note): SQLite would
# store 100,000 characters and more; every TextField of a bounded app declares it as its
# max_length and a length_within constraint.
TEXT_MAX = 10_000


def bound_problems(instance: Any, fields: Any = None) -> dict[str, str]:
    """Field name → what is wrong, for each value of ``instance`` its column cannot hold.

    Texts longer than the field's ``max_length`` (TextFields included), decimals beyond the
    column (``decimal_problem``) and numbers outside the field's validators (a
    ``MinValueValidator``/``MaxValueValidator`` a model declares beside its CheckConstraint,
    and the engine's integer range). ``fields``: only these (``save(update_fields=…)``).
    Expressions (``F("count") + 1``) are left to the database.
    """
    from django.core.exceptions import ValidationError
    from django.db import models
    from django.utils.text import capfirst
    from django.utils.translation import gettext as _

    problems: dict[str, str] = {}
    declared = declared_ranges(instance.__class__)
    for field in instance._meta.concrete_fields:
        if field.is_relation or field.primary_key:
            continue
        if fields is not None and field.name not in fields and field.attname not in fields:
            continue
        value = getattr(instance, field.attname, None)
        if value is None or hasattr(value, "resolve_expression"):
            continue
        label = capfirst(field.verbose_name)
        if isinstance(field, models.CharField | models.TextField) and isinstance(value, str):
            if field.max_length and len(value) > field.max_length:
                problems[field.name] = _("%(field)s不能超过%(max)s个字符（当前%(length)s个）") % {
                    "field": label,
                    "max": f"{field.max_length:,}",
                    "length": f"{len(value):,}",
                }
            continue
        if isinstance(field, models.DecimalField):
            problem = decimal_problem(
                value, max_digits=field.max_digits, decimal_places=field.decimal_places
            )
            if problem:
                problems[field.name] = f"{label}：{problem}"
                continue
            value = parse_decimal(
                value, max_digits=field.max_digits, decimal_places=field.decimal_places
            )
        numeric = isinstance(field, models.DecimalField | models.IntegerField | models.FloatField)
        if not numeric or isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            continue
        low, high = declared.get(field.name, (None, None))
        if low is not None and value < low:
            problems[field.name] = _("%(field)s不能小于%(min)s") % {"field": label, "min": low}
        elif high is not None and value > high:
            problems[field.name] = _("%(field)s不能大于%(max)s") % {"field": label, "max": high}
        else:
            try:
                field.run_validators(value)
            except ValidationError as exc:
                problems[field.name] = f"{label}：{exc.messages[0]}"
    return problems


@functools.cache
def declared_ranges(model: Any) -> dict[str, tuple[Any, Any]]:
    """Field name → (minimum, maximum) its ``int_within``-shaped CheckConstraints declare
    (``field__gte``/``field__lte`` with a number; ``None`` where a side is open), so a service
    refuses the value with a message before the database does."""
    from django.db.models import CheckConstraint, Q

    ranges: dict[str, list[Any]] = {}

    def walk(node: Any) -> None:
        for child in node.children:
            if isinstance(child, Q):
                walk(child)
                continue
            key, value = child
            if isinstance(value, bool) or not isinstance(value, int | Decimal):
                continue
            name, _, lookup = key.rpartition("__")
            if lookup in ("gte", "lte") and "__" not in name:
                bounds = ranges.setdefault(name, [None, None])
                bounds[0 if lookup == "gte" else 1] = value

    for constraint in model._meta.constraints:
        if isinstance(constraint, CheckConstraint) and isinstance(constraint.condition, Q):
            walk(constraint.condition)
    return {name: (low, high) for name, (low, high) in ranges.items()}


def lengths_within(prefix: str, **max_lengths: int) -> list[Any]:
    """One :func:`length_within` constraint per text field, named ``<prefix>_<field>_length``."""
    return [length_within(f, n, name=f"{prefix}_{f}_length") for f, n in max_lengths.items()]


def refuse_out_of_bounds(
    sender: Any, instance: Any, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    """``pre_save`` receiver: a value its column cannot hold is a ``ValidationFailed`` naming
    the field (422 on the API, a form error on the pages) before anything is written, whichever
    service saved it. Fixtures (``raw``) load as they are."""
    if raw:
        return
    problems = bound_problems(instance, update_fields)
    if problems:
        from .errors import ValidationFailed

        raise ValidationFailed(next(iter(problems.values())), details=problems)


def guard_bounds(app_config: Any) -> None:
    """Connect :func:`refuse_out_of_bounds` to every model of an app (call from ``ready``)."""
    from django.db.models.signals import pre_save

    for model in app_config.get_models():
        pre_save.connect(
            refuse_out_of_bounds,
            sender=model,
            dispatch_uid=f"bounds:{model._meta.label_lower}",
        )
