"""Enforcement limits and time limits: national defaults, local values, settings overrides.

Everything the domain rules call local or UNCONFIRMED lives here, not in the services.
``settings.ENFORCEMENT_POLICY`` may override any key for all places (``"default"``), for one
province (2-digit code, ``"37"``) or for one city (4-digit code, ``"3701"``); the city wins.
``LOCAL`` holds the local practice the rules record (rule 25: Fuzhou 2 years, Jinan 3).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Complaints: public intake throttled per client IP (count per window, seconds).
    "complaint_rate_limit": 5,
    "complaint_rate_window_seconds": 3600,
    # Reply to the complainant within this many calendar days of receipt (local practice).
    "complaint_reply_days": 15,
    # Remind the assignee and the bureau when this many days or fewer are left.
    "complaint_reminder_days": 3,
    # Penalty procedure (CF68): statement period after the prior notice, hearing request period,
    # service of the decision, payment, late fee per day (capped at the fine: computed).
    "statement_days": 3,
    "hearing_request_days": 5,
    "service_days": 7,
    "payment_days": 15,
    "late_fee_rate_per_day": Decimal("0.03"),
    # Rule 44: fine multiples for 社团/民非 (illegal turnover 1–3×, illegal gains 3–5×).
    "fine_turnover_multiples": (Decimal("1"), Decimal("3")),
    "fine_gains_multiples": (Decimal("3"), Decimal("5")),
    # CSF 109–112: fines on a charity's responsible persons (yuan).
    "charity_person_fine_range": (Decimal("20000"), Decimal("200000")),
    # How long a person barred from office (限制担任负责人) stays barred, in years (local).
    "bar_person_years": 3,
    # Eligibility: "penalised in the last year" looks back this many days.
    "penalised_lookback_days": 365,
    # Rule 25: this many consecutive report years without a filing → a revocation case.
    "revocation_missing_report_years": 2,
    # Annual reports for year Y are due by this month/day of Y+1 (rule 21, to 民政).
    "annual_report_due": (5, 31),
    # Rule 45 (dormant organisations): consecutive years without a report, days after
    # registration within which an activity must happen, and the default "since" date.
    "dormant_missing_report_years": 2,
    "dormant_first_activity_days": 365,
    "dormant_no_activity_since": dt.date(2019, 1, 1),
    # Unsigned registered letters that make an organisation "cannot be contacted".
    "dormant_unsigned_letters": 2,
}

# Local practice seen in the sources (rule 25): Jinan opens a case after 3 years, Fuzhou after 2.
LOCAL: dict[str, dict[str, Any]] = {
    "3701": {"revocation_missing_report_years": 3},
    "3501": {"revocation_missing_report_years": 2},
}


def policy_for(region_code: str = "") -> dict[str, Any]:
    """The effective policy for a place (12-digit code or prefix)."""
    overrides: dict[str, dict[str, Any]] = getattr(settings, "ENFORCEMENT_POLICY", {}) or {}
    merged = dict(DEFAULTS)
    merged.update(overrides.get("default", {}))
    if region_code:
        merged.update(LOCAL.get(region_code[:4], {}))
        merged.update(overrides.get(region_code[:2], {}))
        merged.update(overrides.get(region_code[:4], {}))
    return merged
