"""Registration thresholds and time limits: national defaults, overridable per province.

Everything the rules call "configurable" or "local" lives here, not in the services.
``settings.REGISTRATION_POLICY`` may override any key, for all provinces (``"default"``) or for
one province by its 2-digit code (``"37"`` = 山东). Amounts are yuan.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Rule 9: decision within 60 days of complete documents; charities 30 (recognition 20).
    "decision_days": 60,
    "charity_decision_days": 30,
    "charity_recognition_days": 20,
    # Filing decision by the street (local practice; no national limit).
    "filing_days": 15,
    # Reviewing departments give their opinion within this many days of acceptance.
    "review_days": 10,
    # Remind the bureau when this many days or fewer are left.
    "reminder_days": 10,
    # Rule 7: association members and activity funds.
    "association_min_individual_members": 50,
    "association_min_unit_members": 30,
    "association_min_mixed_members": 50,
    "association_min_funds_national": Decimal("100000"),
    "association_min_funds_local": Decimal("30000"),
    # Community-level associations (community-service category, county or street level):
    # local thresholds, e.g. Yangzhou 20 individual / 10 unit. None = same as above.
    "community_min_individual_members": None,
    "community_min_unit_members": None,
    "community_min_mixed_members": None,
    "community_min_funds": None,
    # Category codes that count as community-level (城乡社区服务) for the thresholds above.
    "community_categories": ["community_service"],
    # Rule 8: foundation original fund, paid-in cash.
    "foundation_min_fund_national_public": Decimal("8000000"),
    "foundation_min_fund_local_public": Decimal("4000000"),
    "foundation_min_fund_non_public": Decimal("2000000"),
    # Rule 10: the four direct-registration categories (category codes), per province.
    "direct_categories": None,  # None = the categories flagged is_direct_registration
    # Rule 14: changes filed later than this after the supervisory unit's consent are flagged.
    "change_filing_days": 30,
    # Rule 19: words banned from the sector part; words local organisations may not use.
    "forbidden_name_words": ["第一", "最高", "国家级"],
    "national_only_name_words": ["中国", "全国", "中华"],
    # Organisational forms a registered name must end with (rule 19 composition).
    "name_forms": [
        "协会",
        "学会",
        "研究会",
        "促进会",
        "联合会",
        "联谊会",
        "商会",
        "同业公会",
        "基金会",
        "服务中心",
        "中心",
        "服务社",
        "服务站",
        "社",
        "院",
        "学校",
        "幼儿园",
        "医院",
        "研究院",
        "研究所",
        "所",
        "馆",
        "团",
    ],
    # Attachments: size limit in bytes.
    "attachment_max_bytes": 20 * 1024 * 1024,
}


def policy_for(region_code: str = "") -> dict[str, Any]:
    """The effective policy for an authority in ``region_code`` (12-digit or prefix)."""
    overrides: dict[str, dict[str, Any]] = getattr(settings, "REGISTRATION_POLICY", {}) or {}
    merged = dict(DEFAULTS)
    merged.update(overrides.get("default", {}))
    if region_code:
        merged.update(overrides.get(region_code[:2], {}))
    return merged
