"""Annual-report calendar, exemptions and thresholds: national defaults, overridable per province.

Everything the domain rules call configurable or local lives here (rules 21, 22, 26; JJH art. 29
and CSF art. 61 for foundations). ``settings.SUPERVISION_POLICY`` may override any key for all
provinces (``"default"``) or for one province by its 2-digit code (``"33"`` = 浙江). Dates are
``"MM-DD"`` in the year after the report year.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Rule 21: dual-managed 社团/民非 → supervisory unit by 31 March, bureau by 31 May;
    # foundations → bureau by 31 March (after the supervisory unit's review).
    "supervisor_deadline": {
        "association": "03-31",
        "social_service": "03-31",
        "foundation": "03-31",
    },
    "bureau_deadline": {
        "association": "05-31",
        "social_service": "05-31",
        "foundation": "03-31",
    },
    # Rule 21: charities publish the annual work and financial reports on the disclosure
    # platform by 31 May (XXGK81, from 2026-01-01).
    "charity_disclosure_deadline": "05-31",
    # Rule 22: a kind's organisations registered for fewer than this many months at 31 December
    # of the report year are exempt (民非 6 months, MFNJ art. 3); None = no exemption. Jiaxing
    # applies the same cut-off to 社团: {"association": 6, "social_service": 6}.
    "exempt_months": {"social_service": 6, "association": None, "foundation": None},
    # Jiaxing: organisations registered or recognised as charities report under the charity
    # rules instead of the 社团 inspection.
    "charities_excluded_kinds": [],
    # Rule 26: the conclusions (and "absent": due but no report reached the bureau) after which
    # the next report must carry a rectification report.
    "rectification_after": ["basic_pass", "fail", "absent"],
    # JJH art. 29 / CSF art. 61: foundation spending and cost ratios.
    "foundation_public_min_spending_ratio": Decimal("0.70"),
    "foundation_non_public_min_spending_ratio": Decimal("0.08"),
    "foundation_max_admin_ratio": Decimal("0.10"),
    # CSF art. 61 lets public foundations measure against the 3-year average income instead.
    "foundation_public_allow_three_year_average": True,
    # Remind organisations that have not reached the bureau this many days before a deadline.
    "reminder_days": [30, 7, 1],
    # The first report year the platform judges (late filing → credit fact). None = the
    # earliest year any report was kept on the platform.
    "first_report_year": None,
    # How many past report years the daily credit detector looks at.
    "detector_years_back": 3,
    # Largest attachment (financial statements, the accounts note, the audit report …).
    "attachment_max_bytes": 20 * 1024 * 1024,
}


def policy_for(region_code: str = "") -> dict[str, Any]:
    """The effective policy for an organisation whose authority (or address) is ``region_code``."""
    overrides: dict[str, dict[str, Any]] = getattr(settings, "SUPERVISION_POLICY", {}) or {}
    merged = dict(DEFAULTS)
    merged.update(overrides.get("default", {}))
    if region_code:
        merged.update(overrides.get(region_code[:2], {}))
    return merged


def month_day(year: int, value: str) -> dt.date:
    """``"05-31"`` in ``year`` (a date string that does not exist falls back to the month's end)."""
    month, day = (int(part) for part in value.split("-"))
    while True:
        try:
            return dt.date(year, month, day)
        except ValueError:
            day -= 1
