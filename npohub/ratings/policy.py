"""Grade-assessment policy: the score-to-grade thresholds and timings, overridable per locality.

Domain-rules §7 / rule 41: the thresholds are local, not national (Luoyang Chanhe 900/800/700/600
with 1A ≤ 599; Anqing/Huaining 950/900/850/800). ``settings.RATINGS_POLICY`` may override any
key for all places (``"default"``), a province (``"37"``), a city (``"3701"``) or a county
(``"370102"``); the longest matching prefix wins. A round copies the thresholds of its region
when it is created, so a later change never alters a round already under way.

Outliers (documented rule): an expert's total is flagged when its distance from the panel's
median total is more than ``outlier_median_share`` of that median, or more than
``outlier_mad_k`` times the panel's median absolute deviation (MAD) and at least
``outlier_min_points`` points (so a panel that agrees to the point does not flag a 2-point
difference). Panels smaller than ``outlier_min_panel`` are not checked.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings

# The levels, highest first, and the stored value of each.
LEVELS = ("5A", "4A", "3A", "2A", "1A")

DEFAULTS: dict[str, Any] = {
    # Rule 41: the lowest total (out of 1000) for each level. 1A has a floor: below it no grade
    # is awarded (Chanhe gives 1A to every total ≤ 599, hence 0).
    "thresholds": {"5A": 900, "4A": 800, "3A": 700, "2A": 600, "1A": 0},
    "total_points": 1000,
    # Rule 39: full years since registration before a first application.
    "seniority_years": 2,
    # Rule 39 (local practice, e.g. Chanhe, Liwan): a holder may apply for promotion after this
    # many years; None = only when the grade has expired.
    "promotion_after_years": None,
    # Rule 42: validity of a grade.
    "validity_years": 5,
    # Rule 42: grades from this level up give the priority flag.
    "priority_level": "3A",
    # Rule 43: days to return the certificate and plaque after a downgrade.
    "return_days": 15,
    # Rule 43: the eligibility reasons (codes of credit.eligibility) that trigger a downgrade.
    "downgrade_reason_codes": [
        "supervision.inspection_failed",
        "supervision.basic_pass_twice",
        "enforcement.penalised_last_year",
    ],
    # Expiry reminders: days before ``valid_until``.
    "reminder_days": [180, 90, 30],
    # PG39 art. 19: an expert who left an organisation less than this many years ago withdraws.
    "conflict_years": 2,
    "panel_min_experts": 3,
    "outlier_median_share": Decimal("0.15"),
    "outlier_mad_k": Decimal("3"),
    "outlier_min_points": Decimal("30"),
    "outlier_min_panel": 3,
    # Art. 20–23: the review decision on an objection is due within this many days.
    "objection_decision_days": 15,
    # The comment period (公示) length in days; not seen nationally (UNCONFIRMED).
    "comment_days": 7,
}


def policy_for(region_code: str = "") -> dict[str, Any]:
    """The effective policy for a place (12-digit code or prefix): default, then province,
    city and county overrides."""
    overrides: dict[str, dict[str, Any]] = getattr(settings, "RATINGS_POLICY", {}) or {}
    merged = dict(DEFAULTS)
    merged.update(overrides.get("default", {}))
    for length in (2, 4, 6):
        if len(region_code) >= length:
            merged.update(overrides.get(region_code[:length], {}))
    return merged


def level_for(total: Decimal | int | float, thresholds: dict[str, Any]) -> str:
    """The level a total earns under ``thresholds`` ("" below the 1A floor)."""
    value = Decimal(str(total))
    for level in LEVELS:
        if level in thresholds and value >= Decimal(str(thresholds[level])):
            return level
    return ""


def level_rank(level: str) -> int:
    """5 for 5A … 1 for 1A, 0 for none."""
    return 5 - LEVELS.index(level) if level in LEVELS else 0
