"""Party-building thresholds: national defaults, overridable per province.

``settings.PARTY_POLICY`` may override any key for all provinces (``"default"``) or for one
province by its 2-digit code (``"37"`` = 山东).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # §9 / rule 46 (《中国共产党支部工作条例(试行)》 art. 4): ≥ 3 formal members → own branch.
    "own_branch_min_formal_members": 3,
    # §9: one joint branch normally covers at most 5 units.
    "joint_branch_max_units": 5,
    # Rule 46: the 应建未建 trigger uses the same threshold as the own branch.
    "should_have_min_formal_members": 3,
    # Rule 47 (UNCONFIRMED): which organisation kinds the coverage figures count; None = all,
    # including filed community groups.
    "coverage_kinds": None,
    # Work stations and industry committees must sit at a hub recognised by the bureau.
    "require_recognised_hub": True,
    # Default funding of a work station, in yuan (Jinan 2022: 100,000 a year).
    "work_station_default_budget": 100000,
}


def policy_for(region_code: str = "") -> dict[str, Any]:
    """The effective policy for a region (12-digit code or prefix)."""
    overrides: dict[str, dict[str, Any]] = getattr(settings, "PARTY_POLICY", {}) or {}
    merged = dict(DEFAULTS)
    merged.update(overrides.get("default", {}))
    if region_code:
        merged.update(overrides.get(region_code[:2], {}))
    return merged
