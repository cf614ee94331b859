"""Spot-check (双随机、一公开) rules that vary by place: national defaults, overridable per province.

``settings.INSPECTIONS_POLICY`` may override any key for every province (``"default"``) or for
one province by its 2-digit code (``"37"`` = 山东), as ``registration/policy.py`` does.

Rule 36 (CC45, 民发〔2017〕45号): the yearly *regular* draw covers at least 3 % of the
organisations registered by a county bureau, 4 % (city), 5 % (province), 10 % (MCA). A plan may
set higher ratios per kind (Jining: 5 % 社团 / 10 % 基金会 / 5 % 民非; Tongzhou: 100 % of
charities); *ad-hoc* plans (by category, sector or topic) may use any ratio.
Rule 37: an on-site check needs at least 2 inspectors.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Rule 36: the floor of a regular plan's ratio, per authority level.
    "regular_ratio_floor": {
        "county": Decimal("0.03"),
        "city": Decimal("0.04"),
        "province": Decimal("0.05"),
        "national": Decimal("0.10"),
    },
    # Rule 37: inspectors per on-site check (at least 2); desk checks may use fewer.
    "min_inspectors_onsite": 2,
    "default_inspectors_desk": 1,
    # Days an organisation is given to rectify unless the order says otherwise.
    "rectification_days": 30,
}


def policy_for(region_code: str = "") -> dict[str, Any]:
    """The effective policy for an authority in ``region_code`` (12-digit code or prefix)."""
    overrides: dict[str, dict[str, Any]] = getattr(settings, "INSPECTIONS_POLICY", {}) or {}
    merged = dict(DEFAULTS)
    merged.update(overrides.get("default", {}))
    if region_code:
        merged.update(overrides.get(region_code[:2], {}))
    return merged


def ratio_floor(level: str, region_code: str = "") -> Decimal:
    """The least ratio a regular plan of an authority at ``level`` may draw."""
    floors: dict[str, Any] = policy_for(region_code)["regular_ratio_floor"]
    return Decimal(str(floors[level]))
