"""Hooks through which higher apps feed the credit engine and the eligibility service.

The credit app sits low in the layers (above ``orgs``): annual reports, inspections, party
building and penalties live above it and may call it, never the reverse. So the facts that
only those apps can see are *registered* here from their ``AppConfig.ready``:

- a **detector** finds, for a given date, the credit facts its app knows about (an annual
  report not filed by its deadline, a rectification order overdue, a party organization
  required but missing …) and records them with ``credit.services.credit_fact_record``
  (idempotent: the same fact twice is one row). The daily evaluation runs every detector
  for the date before it applies the listing rules.
- an **eligibility check** answers "is this organization barred from <purpose> on <date>,
  and why" for the facts its app holds (a failed annual inspection, a penalty not yet carried
  out, an open investigation …). ``credit.eligibility.is_eligible`` asks every check
  registered for the purpose, plus its own (credit lists, registry status).

Both registries are plain module-level tables: registering twice under one name replaces the
earlier entry (``ready`` can run more than once in tests).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

# A detector: (on: date, actor: Any) -> number of facts it recorded (new or already there).
Detector = Callable[[dt.date, Any], int]


@dataclass(frozen=True)
class Reason:
    """Why an organization is not eligible: a stable code, a human message (Chinese first),
    and where the reason comes from (the app and, when there is one, the record)."""

    code: str
    message: str
    source: str = ""
    ref: str = ""


# An eligibility check: (organization, purpose, on) -> the reasons that bar it (empty: none).
EligibilityCheck = Callable[[Any, str, dt.date], Iterable[Reason]]

# Purposes other apps ask about; a check registered for ``ANY`` applies to every purpose.
ANY = "*"
PURPOSES = {
    "rating": "等级评估",
    "star_rating": "星级评定",
    "award": "评优评先",
    "purchase": "政府购买服务",
    "venture": "公益创投",
    "project": "项目申报",
    "needs_market": "需求对接",
}

_DETECTORS: dict[str, Detector] = {}
_CHECKS: dict[str, tuple[frozenset[str], EligibilityCheck]] = {}


def register_detector(name: str, detector: Detector) -> None:
    _DETECTORS[name] = detector


def detectors() -> list[tuple[str, Detector]]:
    return sorted(_DETECTORS.items())


def register_eligibility_check(
    name: str, check: EligibilityCheck, *, purposes: Iterable[str] = (ANY,)
) -> None:
    _CHECKS[name] = (frozenset(purposes), check)


def eligibility_checks(purpose: str) -> list[tuple[str, EligibilityCheck]]:
    return [
        (name, check)
        for name, (purposes, check) in sorted(_CHECKS.items())
        if ANY in purposes or purpose in purposes
    ]
