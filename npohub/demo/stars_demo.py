"""Monthly scores, star ratings and an award round for the Jinan demo (seed 004's practice).

- monthly scores from January of last year up to the current month (relative to today, so the
  scoring page, which opens on the current month, is filled in) for the current members of
  every current hub that has staff accounts, entered by that staff through
  ``stars.services.scorecard_record`` (so every deduction has a reason and evidence, and the
  audit trail names the hub acting for the bureau); most members score 7–10, two members have a
  bad autumn last year (three months below 6: an interview task opens), one has two low months
  only;
- one appeal against a deduction, adjusted by the bureau;
- the year's star ratings (self, peer and resident evaluations; party building from the party
  records: an organisation without a party organisation fails the first criterion), published by
  the city bureau: five stars get the priority flag, three or fewer an interview;
- one finished 十佳 award round for the city: the best-rated eligible members nominated, the
  demo accounts vote, the votes are counted.

Hubs, members and staff come from the hubs models (``manage.py demo_hubs``); when there are
none, nothing is created. Deterministic (``random.Random(4)``, members ordered by USCC).
Running it again changes nothing (it stops if last year already has monthly scores).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from npohub.accounts.models import Role, User
from npohub.core.errors import DomainError
from npohub.demo.accounts import organization_account
from npohub.hubs.models import Hub, HubMembership
from npohub.hubs.selectors import acting_hub_for, hub_staff_users
from npohub.orgs.models import Organization
from npohub.party.selectors import has_party_organization
from npohub.stars import services
from npohub.stars.models import AwardKind, MonthlyScorecard, StarAssessment
from npohub.stars.selectors import template_for

MEMBERS_PER_HUB = 30
LOW_MONTHS = (10, 11, 12)
NOMINEES = 12
VOTERS = 40
CITY_CODE = "370100000000"


@dataclass
class Summary:
    hubs: int = 0
    organizations: int = 0
    scorecards: int = 0
    interviews: int = 0
    appeals: int = 0
    ratings: int = 0
    five_stars: int = 0
    nominations: int = 0
    votes: int = 0
    existed: bool = False


def describe(summary: Summary) -> dict[str, int]:
    return {
        "评分枢纽": summary.hubs,
        "评分组织": summary.organizations,
        "月度评分": summary.scorecards,
        "约谈任务": summary.interviews,
        "申诉": summary.appeals,
        "星级评定": summary.ratings,
        "五星级": summary.five_stars,
        "十佳推荐": summary.nominations,
        "投票": summary.votes,
    }


def _scoring_pairs(today: dt.date) -> list[tuple[Any, Organization]]:
    """(staff account, member) for the current members of current hubs with staff."""
    pairs: list[tuple[Any, Organization]] = []
    seen: set[int] = set()
    for hub in Hub.objects.current(today).order_by("kind", "id"):
        staff = list(hub_staff_users(hub).order_by("pk")[:1])
        if not staff:
            continue
        taken = 0
        members = (
            HubMembership.objects.filter(hub=hub, joined_on__lte=today)
            .filter(Q(left_on__isnull=True) | Q(left_on__gt=today))
            .exclude(organization_id=hub.organization_id)
            .select_related("organization")
            .order_by("organization__uscc", "organization_id")
        )
        for membership in members:
            org = membership.organization
            if org.pk in seen or acting_hub_for(staff[0], org, on=today) is None:
                continue
            seen.add(org.pk)
            pairs.append((staff[0], org))
            taken += 1
            if taken >= MEMBERS_PER_HUB:
                break
    return pairs


def _lines(org: Organization, total: Decimal, rng: random.Random) -> dict[str, Any]:
    """Full marks, then deductions (with reasons and evidence) down to ``total``."""
    template = template_for(org.address_code)
    assert template is not None
    items = list(template.items.order_by("sort_order"))
    points = {item.code: item.max_points for item in items}
    missing = Decimal("10") - total
    reasons = {
        "party": ("党组织本月未开展组织生活", "党建工作记录"),
        "plan": ("月度工作计划未按时报送", "计划报送台账"),
        "activities": ("未按计划开展服务活动", "活动记录与走访核实"),
        "records": ("活动台账、财务凭证不全", "台账抽查记录"),
        "premises": ("活动场所卫生清洁不达标", "现场检查照片"),
    }
    order = [i for i in items if i.code != "party"] + [i for i in items if i.code == "party"]
    rng.shuffle(order)
    lines = {}
    for item in order:
        cut = min(missing, item.max_points)
        points[item.code] -= cut
        missing -= cut
    for item in items:
        reason, evidence = reasons.get(item.code, ("未达到评分要求", "检查记录"))
        deducted = points[item.code] < item.max_points
        lines[item.code] = services.LineInput(
            points=points[item.code],
            reason=reason if deducted else "",
            evidence=evidence if deducted else "",
        )
    return lines


def months_to_score(today: dt.date) -> list[dt.date]:
    """January of last year up to and including the current month."""
    first = dt.date(today.year - 1, 1, 1)
    return [
        dt.date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
        for i in range(12 + today.month)
    ]


def _score(rng: random.Random, index: int, month: dt.date, year: int) -> Decimal:
    """Last year's autumn is bad for members 1 and 2 (and two months for member 3)."""
    if month.year == year and index in (1, 2) and month.month in LOW_MONTHS:
        return Decimal(rng.choice(["4.5", "5", "5.5"]))
    if month.year == year and index == 3 and month.month in (11, 12):
        return Decimal("5.5")
    base = 7 if index % 5 == 4 else 8
    return Decimal(base) + Decimal(rng.randint(0, 20)) / 10


def _bureau() -> User | None:
    return (
        User.objects.filter(is_active=True, role=Role.CITY_BUREAU, scope_prefix="3701")
        .exclude(is_superuser=True)
        .order_by("pk")
        .first()
        or User.objects.filter(is_active=True, is_superuser=True).order_by("pk").first()
    )


@transaction.atomic
def load_stars_demo() -> Summary:
    """Build the stars demo once; an empty summary when there is nothing to score or it exists."""
    summary = Summary()
    today = timezone.localdate()
    year = today.year - 1
    if MonthlyScorecard.objects.filter(period__year=year).exists():
        summary.existed = True
        return summary
    pairs = _scoring_pairs(today)
    bureau = _bureau()
    if not pairs or bureau is None:
        return summary
    rng = random.Random(4)
    summary.hubs = len({staff.pk for staff, _org in pairs})
    summary.organizations = len(pairs)
    first_card = None
    months = months_to_score(today)
    for index, (staff, org) in enumerate(pairs):
        for month in months:
            card = services.scorecard_record(
                actor=staff,
                organization=org,
                period=month,
                lines=_lines(org, _score(rng, index, month, year), rng),
            )
            summary.scorecards += 1
            if first_card is None and card.total < 10:
                first_card = card
    summary.appeals = _appeal(first_card, bureau)
    party = has_party_organization([o.pk for _s, o in pairs], today)
    for index, (staff, org) in enumerate(pairs):
        passed = party.get(org.pk, False) or index % 4 != 3
        services.star_assessment_record(
            actor=staff,
            organization=org,
            year=year,
            data=services.StarInput(
                self_score=rng.randint(80, 100),
                peer_score=rng.randint(70, 98),
                resident_score=rng.randint(70, 100),
                party_building_passed=passed,
                party_note="" if passed else "应建未建党组织，党建工作未落实",
            ),
        )
        summary.ratings += 1
    services.star_results_publish(actor=bureau, year=year, region_code=CITY_CODE)
    summary.five_stars = StarAssessment.objects.filter(year=year, stars=5).count()
    summary.interviews = len({o.pk for _s, o in pairs if o.interview_tasks.exists()})
    _award_round(bureau, year, summary, rng)
    return summary


def _appeal(card: MonthlyScorecard | None, bureau: User) -> int:
    """The first member with an account appeals a deduction; the bureau adjusts it."""
    if card is None:
        return 0
    owner = organization_account(card.organization)
    line = next(
        (ln for ln in card.lines.select_related("item") if ln.points < ln.item.max_points), None
    )
    if owner is None or line is None:
        return 0
    appeal = services.appeal_file(
        actor=owner, line=line, grounds="当月已开展活动，补交活动照片和签到表"
    )
    services.appeal_transition(
        actor=bureau,
        appeal=appeal,
        transition="adjust",
        note="补充材料属实，恢复该项得分",
        adjusted_points=line.item.max_points,
    )
    return 1


def _award_round(bureau: User, year: int, summary: Summary, rng: random.Random) -> None:
    """A finished 十佳 round: the best-rated eligible members, votes from the demo accounts."""
    today = timezone.localdate()
    award_round = services.award_round_create(
        actor=bureau,
        data=services.RoundInput(
            title=f"{year}年度济南市十佳社会组织评选",
            kind=AwardKind.TOP_TEN,
            year=year,
            region_code=CITY_CODE,
            vote_opens=today,
            vote_closes=today,
        ),
    )
    nominations = []
    for rating in (
        StarAssessment.objects.filter(year=year, is_published=True)
        .select_related("organization")
        .order_by("-composite", "id")
    ):
        if len(nominations) >= NOMINEES:
            break
        try:
            nominations.append(
                services.nomination_create(
                    actor=bureau,
                    award_round=award_round,
                    organization=rating.organization,
                    statement=f"{year}年度评定为{rating.stars}星级，服务成效突出",
                )
            )
        except DomainError:
            continue
    summary.nominations = len(nominations)
    if not nominations:
        return
    services.award_round_transition(actor=bureau, award_round=award_round, transition="open_voting")
    voters = list(User.objects.filter(is_active=True).order_by("pk")[:VOTERS])
    for voter in voters:
        for nomination in rng.sample(nominations, k=min(len(nominations), rng.randint(3, 8))):
            try:
                services.vote_cast(actor=voter, nomination=nomination)
            except DomainError:
                continue
            summary.votes += 1
    services.award_round_transition(actor=bureau, award_round=award_round, transition="finish")
