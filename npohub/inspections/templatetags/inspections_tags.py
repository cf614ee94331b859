"""Template filters of the spot-check pages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from npohub.inspections.models import DRAW_REASON_LABELS
from npohub.inspections.services import percent as _percent
from npohub.inspections.services import stratum_label

register = template.Library()


@register.filter
def percent(value: Any) -> str:
    try:
        return _percent(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


@register.filter
def stratum_name(value: Any) -> str:
    kind, _sep, district = str(value).partition(":")
    return stratum_label(kind) + (f"（{district}）" if district else "")


@register.filter
def draw_reason(value: Any) -> str:
    """A draw-log reason code in words ("" stays empty, an unknown code is not shown raw)."""
    if not value:
        return ""
    return str(DRAW_REASON_LABELS.get(str(value), ""))
