"""Star-rating settings: defaults from 淄博临淄 (seed 004), overridable per locality.

None of these numbers is national: ``settings.STARS_POLICY`` may override any key for every
locality (``"default"``) or for a region by code prefix (``"37"`` 山东, ``"3703"`` 淄博,
``"370305"`` 临淄区); the longest matching prefix wins.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # 月规范: a month below this score is a low month; this many in a row → 约谈提醒.
    "low_month_below": "6",
    "low_months_in_a_row": 3,
    # Days the responsible staff have to hold the interview, and the rectification period.
    "interview_due_days": 15,
    "rectification_days": 30,
    # 年考核: weights of the four parts (percent, summing to 100). The monthly average (out of
    # 10) is scaled to 100; the three evaluations are entered out of 100.
    "weights": {"monthly": 50, "self": 10, "peer": 20, "resident": 20},
    # Composite score (0–100) → stars, highest first: [minimum composite, stars].
    "star_thresholds": [["90", 5], ["80", 4], ["70", 3], ["60", 2], ["0", 1]],
    # 党建落实作为考核的首要依据: a failing party-building criterion caps the stars here.
    "party_fail_cap": 3,
    # 五星级优先对接项目; 三星级以下约谈限期整改.
    "priority_stars": 5,
    "interview_stars_at_most": 3,
}


def policy_for(region_code: str = "") -> dict[str, Any]:
    """The effective policy for a region code (12 digits or a prefix)."""
    overrides: dict[str, dict[str, Any]] = getattr(settings, "STARS_POLICY", {}) or {}
    merged = dict(DEFAULTS)
    merged.update(overrides.get("default", {}))
    for prefix in sorted((k for k in overrides if k != "default"), key=len):
        if region_code.startswith(prefix):
            merged.update(overrides[prefix])
    return merged
