"""Credit-list timings and thresholds: national defaults, overridable per province.

Everything domain-rules §5 / rules 28–35 mark UNCONFIRMED or local lives here, not in the
services. ``settings.CREDIT_POLICY`` may override any key for all provinces (``"default"``) or
for one province by its 2-digit code (``"37"`` = 山东). Amounts are yuan.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Rule 28: credit information is entered within this many working days of arising.
    "entry_working_days": 5,
    # Public holidays (ISO dates) skipped when counting working days, and weekend days that are
    # working days (调休). Extend per year/province in settings.CREDIT_POLICY.
    "holidays": [
        "2025-01-01",
        "2025-01-28",
        "2025-01-29",
        "2025-01-30",
        "2025-01-31",
        "2025-02-03",
        "2025-02-04",
        "2025-04-04",
        "2025-05-01",
        "2025-05-02",
        "2025-05-05",
        "2025-06-02",
        "2025-10-01",
        "2025-10-02",
        "2025-10-03",
        "2025-10-06",
        "2025-10-07",
        "2025-10-08",
        "2026-01-01",
        "2026-01-02",
        "2026-02-16",
        "2026-02-17",
        "2026-02-18",
        "2026-02-19",
        "2026-02-20",
        "2026-02-23",
        "2026-04-06",
        "2026-05-01",
        "2026-05-04",
        "2026-05-05",
        "2026-06-19",
        "2026-09-25",
        "2026-10-01",
        "2026-10-02",
        "2026-10-05",
        "2026-10-06",
        "2026-10-07",
    ],
    "extra_working_days": [
        "2025-01-26",
        "2025-02-08",
        "2025-04-27",
        "2025-09-28",
        "2025-10-11",
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ],
    # Rule 29/30 thresholds: the line between a light fine (abnormal) and a heavy one (serious).
    "fine_threshold": Decimal("50000"),
    # Rule 31: full years on the abnormal list before escalation to the serious list.
    "escalation_years": 2,
    # Rule 33 (UNCONFIRMED): removal within N working days of verifying the rectification.
    "abnormal_removal_working_days": 5,
    # Rule 33 (UNCONFIRMED): automatic removal N months after listing when nothing to rectify.
    "abnormal_auto_removal_months": 6,
    # Fact kinds that leave nothing to rectify (the penalty itself is the whole obligation).
    "nothing_to_rectify_kinds": ["warning", "fine"],
    # Rule 34: full years with no new trigger before a serious listing may be removed.
    "serious_clean_years": 2,
    # Rule 34: serious listings for revocation end only on deregistration.
    "removal_on_deregistration_kinds": ["registration_revoked", "certificate_revoked"],
    # Rule 33 (UNCONFIRMED, draft): two unsigned registered letters this many days apart.
    "contact_interval_min_days": 20,
    "contact_interval_max_days": 60,
}


def policy_for(region_code: str = "") -> dict[str, Any]:
    """The effective credit policy for an organisation in ``region_code`` (12-digit or prefix)."""
    overrides: dict[str, dict[str, Any]] = getattr(settings, "CREDIT_POLICY", {}) or {}
    merged = dict(DEFAULTS)
    merged.update(overrides.get("default", {}))
    if region_code:
        merged.update(overrides.get(region_code[:2], {}))
    return merged


def is_working_day(day: dt.date, policy: dict[str, Any]) -> bool:
    iso = day.isoformat()
    if iso in policy["extra_working_days"]:
        return True
    return day.weekday() < 5 and iso not in policy["holidays"]


def working_days_between(start: dt.date, end: dt.date, policy: dict[str, Any]) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day, policy):
            count += 1
    return count


def add_working_days(start: dt.date, days: int, policy: dict[str, Any]) -> dt.date:
    day = start
    added = 0
    while added < days:
        day += dt.timedelta(days=1)
        if is_working_day(day, policy):
            added += 1
    return day


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the last day of the month when it does not exist)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def add_years(day: dt.date, years: int) -> dt.date:
    """The anniversary ``years`` later (28 February for 29 February in a common year)."""
    return add_months(day, 12 * years)
