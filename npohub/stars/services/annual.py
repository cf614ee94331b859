"""The annual star rating (年考核) and its publication."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import Conflict, ValidationFailed
from npohub.core.permissions import require
from npohub.hubs.selectors import acting_hub_for
from npohub.orgs.models import Organization

from ..models import InterviewReason, StarAssessment
from ..permissions import can_assess_stars, can_publish_stars
from ..policy import policy_for
from ..selectors import monthly_average
from .common import HUNDREDTH, _behalf, _decimal, _user_or_none
from .interviews import _open_interview

# --- annual star rating -------------------------------------------------------------------------


@dataclass(frozen=True)
class StarResult:
    composite: Decimal
    stars: int
    capped: bool


def compute_stars(
    *,
    monthly_average: Decimal,
    self_score: Decimal,
    peer_score: Decimal,
    resident_score: Decimal,
    party_building_passed: bool,
    policy: dict[str, Any],
) -> StarResult:
    """Weighted composite out of 100 (the monthly average, out of 10, scaled to 100), mapped to
    stars by the locality's thresholds; a failing party-building criterion caps the stars."""
    weights = {k: Decimal(str(v)) for k, v in policy["weights"].items()}
    parts = {
        "monthly": monthly_average * 10,
        "self": self_score,
        "peer": peer_score,
        "resident": resident_score,
    }
    total_weight = sum(weights.values(), Decimal("0")) or Decimal("1")
    composite = sum((parts[k] * weights.get(k, Decimal("0")) for k in parts), Decimal("0"))
    composite = (composite / total_weight).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
    stars = 1
    for minimum, level in sorted(policy["star_thresholds"], key=lambda t: -Decimal(str(t[0]))):
        if composite >= Decimal(str(minimum)):
            stars = int(level)
            break
    cap = int(policy["party_fail_cap"])
    capped = not party_building_passed and stars > cap
    return StarResult(composite, cap if capped else stars, capped)


@dataclass
class StarInput:
    self_score: Any
    peer_score: Any
    resident_score: Any
    party_building_passed: bool
    party_note: str = ""


@transaction.atomic
def star_assessment_record(
    *, actor: User, organization: Organization, year: int, data: StarInput
) -> StarAssessment:
    """Rate the organisation for ``year`` (1–5 stars) from its monthly average and the self,
    peer and resident evaluations, party building first; re-recording replaces an unpublished
    rating."""
    require(can_assess_stars(actor, organization))
    errors: dict[str, str] = {}
    scores: dict[str, Decimal] = {}
    labels = {"self_score": _("自评"), "peer_score": _("互评"), "resident_score": _("群众评")}
    for field, label in labels.items():
        value = _decimal(getattr(data, field), field, str(label))
        if value < 0 or value > 100:
            errors[field] = _("%(label)s须在0到100分之间") % {"label": label}
        scores[field] = value
    if year > timezone.localdate().year or year < 2000:
        errors["year"] = _("年度无效")
    if not data.party_building_passed and not data.party_note.strip():
        errors["party_note"] = _("党建落实不合格时须说明情况")
    if errors:
        raise ValidationFailed(
            _("星级评定未保存：%(errors)s") % {"errors": "；".join(errors.values())},
            details=errors,
        )
    average, months = monthly_average(organization, year)
    if months == 0:
        raise ValidationFailed(
            _("%(org)s在%(year)d年没有月度评分，不能评定星级")
            % {"org": organization.name, "year": year},
            code="stars.no_monthly_scores",
        )
    existing = (
        StarAssessment.objects.select_for_update()
        .filter(organization_id=organization.pk, year=year)
        .first()
    )
    if existing is not None and existing.is_published:
        raise Conflict(_("该组织本年度星级已公布，不能修改"), code="stars.already_published")
    policy = policy_for(organization.address_code)
    result = compute_stars(
        monthly_average=average,
        self_score=scores["self_score"],
        peer_score=scores["peer_score"],
        resident_score=scores["resident_score"],
        party_building_passed=data.party_building_passed,
        policy=policy,
    )
    hub = acting_hub_for(actor, organization) if getattr(actor, "role", "") == "hub_staff" else None
    item = existing or StarAssessment(organization=organization, year=year)
    item.hub = hub or item.hub
    item.region_code = organization.address_code
    item.months_scored, item.monthly_average = months, average
    item.self_score = scores["self_score"]
    item.peer_score = scores["peer_score"]
    item.resident_score = scores["resident_score"]
    item.party_building_passed = data.party_building_passed
    item.party_note = data.party_note.strip()[:300]
    item.composite, item.stars, item.capped = result.composite, result.stars, result.capped
    item.weights = dict(policy["weights"])
    item.assessed_by = _user_or_none(actor)
    item.save()
    audit_record(
        actor=actor,
        kind="stars.assessment_recorded",
        target=item,
        payload={
            "year": year,
            "composite": str(result.composite),
            "stars": result.stars,
            "capped": result.capped,
            "monthly_average": str(average),
        },
        on_behalf_of=_behalf(hub, actor),
        organization_id=organization.pk,
        region_code=organization.address_code,
    )
    return item


@transaction.atomic
def star_results_publish(*, actor: User, year: int, region_code: str) -> int:
    """Publish the year's ratings inside the bureau's region; three stars or fewer → an
    interview with a rectification deadline. Returns how many were published."""
    require(can_publish_stars(actor, region_code))
    prefix = region_code.rstrip("0") if len(region_code) == 12 else region_code
    items = list(
        StarAssessment.objects.select_for_update(of=("self",))
        .select_related("organization", "hub")
        .filter(year=year, is_published=False, region_code__startswith=prefix)
        .order_by("id")
    )
    if not items:
        raise ValidationFailed(
            _("%(year)d年没有待公布的星级评定") % {"year": year}, code="stars.nothing_to_publish"
        )
    today = timezone.localdate()
    opened = 0
    for item in items:
        item.is_published, item.published_on = True, today
        limit = int(policy_for(item.region_code)["interview_stars_at_most"])
        if item.stars <= limit:
            task = _open_interview(
                actor=actor,
                organization=item.organization,
                hub=item.hub,
                reason=InterviewReason.LOW_STARS,
                period=dt.date(year, 1, 1),
                detail=_("%(year)d年度评定为%(stars)d星级（综合得分%(composite)s）")
                % {"year": year, "stars": item.stars, "composite": item.composite},
                assignee=item.assessed_by,
            )
            opened += int(task is not None)
    StarAssessment.objects.bulk_update(items, ["is_published", "published_on"])
    audit_record(
        actor=actor,
        kind="stars.results_published",
        target=items[0],
        payload={"year": year, "region": prefix, "published": len(items), "interviews": opened},
        region_code=prefix,
    )
    return len(items)
