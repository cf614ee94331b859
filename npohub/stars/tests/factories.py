"""Test helpers for stars: a scoring hub with staff and members, scorecards, ratings, rounds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from npohub.hubs import services as hub_services
from npohub.hubs.tests.factories import DAY0, add_member, recognise
from npohub.orgs.models import AccessReason, Organization, OrganizationAccess
from npohub.orgs.tests.factories import OrganizationFactory
from npohub.stars import services
from npohub.stars.models import AwardKind, AwardRound, MonthlyScorecard, StarAssessment
from npohub.stars.selectors import month_start, shift_month, template_for

FULL = {"party": "2", "plan": "2", "activities": "2.5", "records": "2", "premises": "1.5"}


def scoring_hub(cast: dict[str, Any], regions: dict[str, Any], members: list[Organization]) -> Any:
    """A platform hub for 历下区 whose staff is ``cast["hub"]``, with ``members`` on its roster."""
    OrganizationAccess.objects.filter(user=cast["hub"], reason=AccessReason.HUB_MEMBER).delete()
    hub_org = OrganizationFactory(
        name="历下区社会组织孵化基地",
        community=regions["c_jfq2"],
        authority_region=regions["lixia"],
    )
    hub = recognise(cast["city"], hub_org, region=regions["lixia"])
    hub_services.hub_staff_add(actor=cast["city"], hub=hub, user=cast["hub"], valid_from=DAY0)
    for org in members:
        add_member(cast["city"], hub, org)
    return hub


def months_ago(n: int) -> dt.date:
    return shift_month(month_start(timezone.localdate()), -n)


def lines_totalling(total: str) -> dict[str, services.LineInput]:
    """Full marks except a deduction on 开展活动 (and then 台账资料) down to ``total``."""
    deduct = Decimal("10") - Decimal(total)
    lines = {code: services.LineInput(points=value) for code, value in FULL.items()}
    for code in ("activities", "records", "plan", "premises", "party"):
        if deduct <= 0:
            break
        cut = min(deduct, Decimal(FULL[code]))
        lines[code] = services.LineInput(
            points=Decimal(FULL[code]) - cut, reason="未按计划开展", evidence="3月走访记录"
        )
        deduct -= cut
    return lines


def score(actor: Any, org: Organization, period: dt.date, total: str) -> MonthlyScorecard:
    return services.scorecard_record(
        actor=actor, organization=org, period=period, lines=lines_totalling(total)
    )


def item_codes(org: Organization) -> list[str]:
    template = template_for(org.address_code)
    assert template is not None
    return list(template.items.values_list("code", flat=True))


def rate(
    actor: Any,
    org: Organization,
    year: int,
    *,
    self_score: str = "90",
    peer: str = "90",
    resident: str = "90",
    party: bool = True,
) -> StarAssessment:
    return services.star_assessment_record(
        actor=actor,
        organization=org,
        year=year,
        data=services.StarInput(
            self_score=self_score,
            peer_score=peer,
            resident_score=resident,
            party_building_passed=party,
            party_note="" if party else "未建立党组织，未开展党建活动",
        ),
    )


def award_round(actor: Any, *, state_window: tuple[dt.date, dt.date] | None = None) -> AwardRound:
    today = timezone.localdate()
    opens, closes = state_window or (today, today + dt.timedelta(days=10))
    return services.award_round_create(
        actor=actor,
        data=services.RoundInput(
            title="历下区十佳社会组织评选",
            kind=AwardKind.TOP_TEN,
            year=today.year,
            region_code="370102000000",
            vote_opens=opens,
            vote_closes=closes,
        ),
    )
