"""Hub governance settings: national defaults, overridable per province (``settings.HUBS_POLICY``).

None of these numbers is a national rule (domain-rules §10, rule 50: hub and federation coverage
targets are local practice), so each lives here, not in the services.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Rule 50 (Guangdong 2021–2023): share of streets with at least one hub, in percent.
    "street_hub_coverage_target": 80,
    # Jinan seed 000: every street has a federation chaired by the street head (percent).
    "federation_coverage_target": 100,
    "federation_head_chair_target": 100,
    # Organisation kinds that may be recognised as hubs (a hub is a registered organisation).
    "hub_organization_kinds": ["association", "social_service", "foundation"],
    # Kinds a federation organisation may have (Jinan: registered 联合会; some places file them).
    "federation_organization_kinds": ["association", "social_service", "community_group"],
    # Kinds allowed on a roster (registered and filed organisations).
    "member_organization_kinds": ["association", "social_service", "foundation", "community_group"],
    # A first-line review's optional score runs from 0 to this (the bureau's own scale; the
    # monthly 10-point rating lives in the stars app).
    "review_score_max": 100,
    # Management levels that count as "city/district organisations" for pairing (结对共建).
    "pairing_senior_levels": ["city", "county", "provincial"],
}


def policy_for(region_code: str = "") -> dict[str, Any]:
    """The effective policy for ``region_code`` (12-digit code or prefix)."""
    overrides: dict[str, dict[str, Any]] = getattr(settings, "HUBS_POLICY", {}) or {}
    merged = dict(DEFAULTS)
    merged.update(overrides.get("default", {}))
    if region_code:
        merged.update(overrides.get(region_code[:2], {}))
    return merged
