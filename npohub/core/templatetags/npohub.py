"""Shared template filters: masked personal data, status badges, Chinese dates and money."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_noop

from npohub.core import i18n
from npohub.core.validators import mask_id_number, mask_phone

register = template.Library()


def _is_chinese() -> bool:
    return (get_language() or "zh-hans").lower().startswith("zh")


@register.filter
def masked_id(value: Any, show: Any = False) -> str:
    """An ID number, masked (370102********1234) unless ``show`` is truthy."""
    text = str(value or "")
    return text if show else mask_id_number(text)


@register.filter
def masked_phone(value: Any, show: Any = False) -> str:
    """A personal phone number, masked (138****5678) unless ``show`` is truthy."""
    text = str(value or "")
    return text if show else mask_phone(text)


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


@register.filter
def cn_date(value: Any) -> str:
    """A date the Chinese way: 2024年3月1日 (ISO 2024-03-01 when the interface is English)."""
    day = _as_date(value)
    if day is None:
        return "" if value in (None, "") else str(value)
    if _is_chinese():
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


@register.filter
def cn_datetime(value: Any) -> str:
    """A moment the Chinese way: 2024年3月1日 14:05 (local time)."""
    if not isinstance(value, dt.datetime):
        return cn_date(value)
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{cn_date(local.date())} {local:%H:%M}"


@register.filter
def cn_month(value: Any) -> str:
    """A month the Chinese way: 2024年3月 (ISO 2024-03 when the interface is English)."""
    day = _as_date(value if not isinstance(value, str) or len(value) != 7 else f"{value}-01")
    if day is None:
        return "" if value in (None, "") else str(value)
    if _is_chinese():
        return f"{day.year}年{day.month}月"
    return f"{day:%Y-%m}"


@register.filter
def thousands(value: Any) -> str:
    """A count or number with thousands separators: 37069 → 37,069, 100000.5 → 100,000.5.
    Anything that is not a number is shown as it is."""
    if value in (None, "") or isinstance(value, bool):
        return "" if value in (None, "") else str(value)
    if isinstance(value, int):
        return f"{value:,}"
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    if number == number.to_integral_value() and "." not in str(value):
        return f"{int(number):,}"
    return f"{number:,}"


# Chinese counts large sums in 万 (10⁴) and 亿 (10⁸); English in millions and billions.
_YUAN_STEPS_CHINESE = (
    (Decimal("100000000"), gettext_noop("%(amount)s亿元")),
    (Decimal("10000"), gettext_noop("%(amount)s万元")),
)
_YUAN_STEPS_WESTERN = (
    (Decimal("1000000000"), gettext_noop("%(amount)s十亿元")),
    (Decimal("1000000"), gettext_noop("%(amount)s百万元")),
)


@register.filter
def yuan(value: Any) -> str:
    """Money in yuan: 30000 → 3.00万元, 120000000 → 1.20亿元, 5000 → 5,000.00元
    (English: CNY 30,000.00, CNY 120.00 million, CNY 5,000.00)."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    for step, text in _YUAN_STEPS_CHINESE if _is_chinese() else _YUAN_STEPS_WESTERN:
        if abs(amount) >= step:
            return gettext(text) % {"amount": f"{amount / step:,.2f}"}
    return gettext("%(amount)s元") % {"amount": f"{amount:,.2f}"}


@register.filter
def yes_no(value: Any) -> str:
    """是 / 否 for a boolean."""
    return gettext("是") if value else gettext("否")


@register.inclusion_tag("components/status_badge.html")
def status_badge(status: str, label: Any = "") -> dict[str, Any]:
    """A coloured badge for an organisation status (``badge badge-<status>``)."""
    return {"status": status, "label": label or status}


@register.filter
def duration_cn(value: Any) -> str:
    """A timedelta in words: 30 分钟, 2 小时, 1 天 (English: 30 min, 2 h, 1 d)."""
    if not isinstance(value, dt.timedelta):
        return ""
    minutes = int(value.total_seconds() // 60)
    if minutes % 1440 == 0 and minutes >= 1440:
        return gettext("%(count)s 天") % {"count": minutes // 1440}
    if minutes % 60 == 0 and minutes >= 60:
        return gettext("%(count)s 小时") % {"count": minutes // 60}
    return gettext("%(count)s 分钟") % {"count": max(minutes, 1)}


@register.filter
def short_label(value: Any) -> str:
    """A choice label without its bracketed note: 社会服务机构（民办非企业单位） → 社会服务机构
    (English: "Social service institution (…)" → "Social service institution")."""
    return i18n.short_label(value)
