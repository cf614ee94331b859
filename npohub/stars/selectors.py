"""Reads on monthly scores, interviews, star ratings and awards. Lists start from what the
user may see (``orgs.selectors.organization_visible_to``).

``has_star_priority(org, year)`` is the interface other modules (projects, orders) call.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, F, Q, QuerySet, Window
from django.db.models.functions import Rank
from django.utils import timezone

from npohub.accounts.models import Role
from npohub.core.errors import NotFound
from npohub.hubs.models import Hub, HubMembership
from npohub.hubs.selectors import staff_hub_ids
from npohub.orgs.models import AccessReason, Organization
from npohub.orgs.scope import scope_of
from npohub.orgs.selectors import organization_in_scope, organization_visible_to

from .models import (
    AppealState,
    AwardRound,
    AwardState,
    InterviewTask,
    MonthlyScorecard,
    Nomination,
    RemovalFlag,
    ScoreAppeal,
    ScorecardTemplate,
    ScoreLine,
    StarAssessment,
    Vote,
)
from .permissions import Viewer
from .policy import policy_for


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def shift_month(period: dt.date, months: int) -> dt.date:
    index = period.year * 12 + period.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


# --- templates and scorecards ----------------------------------------------------------------


def template_for(region_code: str) -> ScorecardTemplate | None:
    """The active template of the longest region prefix containing ``region_code``."""
    candidates = [
        t
        for t in ScorecardTemplate.objects.filter(is_active=True)
        if region_code.startswith(t.region_code)
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda t: len(t.region_code))


def template_list() -> QuerySet[ScorecardTemplate]:
    return ScorecardTemplate.objects.prefetch_related("items").order_by("region_code", "id")


def template_get(pk: object) -> ScorecardTemplate:
    """One scorecard version by id (every staff user sees them all)."""
    template = template_list().filter(pk=int(str(pk))).first() if str(pk).isdigit() else None
    if template is None:
        raise NotFound("评分表不存在")
    return template


def own_organization_ids(user: Viewer) -> list[int]:
    """The organisations whose own account the user is (grants valid today), in id order."""
    return list(
        scope_of(user)
        .granted_ids(reason=AccessReason.OWN)
        .order_by("organization_id")
        .values_list("organization_id", flat=True)
    )


def scorecard_visible_to(user: Viewer) -> QuerySet[MonthlyScorecard]:
    if not scope_of(user).signed_in:
        return MonthlyScorecard.objects.none()
    return MonthlyScorecard.objects.filter(
        organization_id__in=organization_visible_to(user).values("pk")
    ).select_related("organization", "hub")


def scorecard_get_for(user: Viewer, pk: int) -> MonthlyScorecard:
    card = (
        scorecard_visible_to(user)
        .select_related("scored_by", "template")
        .prefetch_related("lines__item", "lines__appeals")
        .filter(pk=pk)
        .first()
    )
    if card is None:
        raise NotFound("月度评分不存在")
    return card


def line_get_for(user: Viewer, pk: int) -> ScoreLine:
    line = (
        ScoreLine.objects.select_related("scorecard__organization", "scorecard__hub", "item")
        .filter(pk=pk, scorecard__in=scorecard_visible_to(user))
        .first()
    )
    if line is None:
        raise NotFound("评分明细不存在")
    return line


def scorecards_of(org: Organization, *, year: int | None = None) -> QuerySet[MonthlyScorecard]:
    qs = MonthlyScorecard.objects.filter(organization_id=org.pk).select_related("hub")
    if year is not None:
        qs = qs.filter(period__year=year)
    return qs.order_by("-period")


def scorecard_list_for(
    user: Viewer, *, period: dt.date | None = None, below: Decimal | None = None
) -> QuerySet[MonthlyScorecard]:
    qs = scorecard_visible_to(user)
    if period is not None:
        qs = qs.filter(period=month_start(period))
    if below is not None:
        qs = qs.filter(total__lt=below)
    return qs.order_by("-period", "organization__name", "id")


def scoring_hubs_for(user: Viewer) -> QuerySet[Hub]:
    """The current hubs under which the user scores (hub staff only)."""
    return Hub.objects.filter(pk__in=staff_hub_ids(user)).order_by("name", "id")


def scoring_hub_get_for(user: Viewer, pk: int) -> Hub:
    hub = scoring_hubs_for(user).filter(pk=pk).first()
    if hub is None:
        raise NotFound("枢纽组织不存在")
    return hub


@dataclass
class GridRow:
    organization: Organization
    scorecard: MonthlyScorecard | None
    points: dict[str, Decimal]


def scoring_grid(hub: Hub, period: dt.date) -> list[GridRow]:
    """The hub's current members × the month's scorecards (for bulk entry). Three queries."""
    today = timezone.localdate()
    members = [
        m.organization
        for m in HubMembership.objects.select_related("organization")
        .filter(hub_id=hub.pk, joined_on__lte=today)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=today))
        .exclude(organization_id=hub.organization_id)
        .order_by("organization__name", "organization_id")
    ]
    cards = {
        c.organization_id: c
        for c in MonthlyScorecard.objects.filter(
            organization_id__in=[o.pk for o in members], period=month_start(period)
        ).prefetch_related("lines__item")
    }
    rows = []
    for org in members:
        card = cards.get(org.pk)
        points = {line.item.code: line.points for line in card.lines.all()} if card else {}
        rows.append(GridRow(org, card, points))
    return rows


def low_streak(org_id: int, period: dt.date) -> list[MonthlyScorecard]:
    """A run of ``low_months_in_a_row`` consecutive months that includes ``period``, every one
    scored below the locality's threshold (a missing month or a month at or above the threshold
    breaks the run): its scorecards, oldest first; else an empty list.

    Months are entered in any order and corrected later, so every run the month belongs to is
    looked at (the month may be the first, a middle or the last month of it), earliest first;
    one query whatever the run's length."""
    org = Organization.objects.only("address_code").get(pk=org_id)
    policy = policy_for(org.address_code)
    needed = int(policy["low_months_in_a_row"])
    below = Decimal(str(policy["low_month_below"]))
    month = month_start(period)
    cards = {
        c.period: c
        for c in MonthlyScorecard.objects.filter(
            organization_id=org_id,
            period__gte=shift_month(month, 1 - needed),
            period__lte=shift_month(month, needed - 1),
        )
    }
    for first in range(1 - needed, 1):
        run = [cards.get(shift_month(month, first + i)) for i in range(needed)]
        if all(card is not None and card.total < below for card in run):
            return [card for card in run if card is not None]
    return []


def monthly_average(org: Organization, year: int) -> tuple[Decimal, int]:
    """(average total, months scored) of the organisation's scorecards in ``year``."""
    data = MonthlyScorecard.objects.filter(organization_id=org.pk, period__year=year).aggregate(
        avg=Avg("total"), n=Count("id")
    )
    if not data["n"]:
        return Decimal("0"), 0
    return Decimal(str(data["avg"])).quantize(Decimal("0.01")), int(data["n"])


# --- appeals ------------------------------------------------------------------------------------


def appeal_visible_to(user: Viewer) -> QuerySet[ScoreAppeal]:
    """Appeals of the organisations the user sees, and those against the scores of the hubs
    the user governs (bureaus and street offices over the hubs' scope)."""
    scope = scope_of(user)
    if not scope.signed_in:
        return ScoreAppeal.objects.none()
    qs = ScoreAppeal.objects.select_related(
        "organization", "line__item", "line__scorecard__hub", "filed_by", "decided_by"
    )
    if scope.everything:
        return qs
    visible = Q(organization_id__in=organization_visible_to(user).values("pk"))
    if scope.is_bureau or (scope.role == Role.STREET_OFFICER and scope.has_region):
        visible |= Q(line__scorecard__hub__scope_prefix__startswith=scope.prefix)
    return qs.filter(visible)


def appeal_get_for(user: Viewer, pk: int) -> ScoreAppeal:
    appeal = appeal_visible_to(user).filter(pk=pk).first()
    if appeal is None:
        raise NotFound("申诉不存在")
    return appeal


def appeal_list_for(user: Viewer, *, state: str = "") -> QuerySet[ScoreAppeal]:
    qs = appeal_visible_to(user)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-created_at", "-id")


def open_appeal_count(scorecard: MonthlyScorecard) -> int:
    return ScoreAppeal.objects.filter(
        line__scorecard_id=scorecard.pk, state=AppealState.SUBMITTED
    ).count()


# --- interviews --------------------------------------------------------------------------------


def interview_visible_to(user: Viewer) -> QuerySet[InterviewTask]:
    """Tasks assigned to the user, of the user's hubs, or of organisations in a bureau's region."""
    scope = scope_of(user)
    if scope.user is None:
        return InterviewTask.objects.none()
    qs = InterviewTask.objects.select_related("organization", "hub", "assignee")
    if scope.everything:
        return qs
    q = Q(assignee_id=scope.user.pk) | Q(hub_id__in=staff_hub_ids(user))
    if scope.is_bureau:
        q |= Q(organization__address_code__startswith=scope.prefix)
    return qs.filter(q)


def interview_get_for(user: Viewer, pk: int) -> InterviewTask:
    task = interview_visible_to(user).filter(pk=pk).first()
    if task is None:
        raise NotFound("约谈任务不存在")
    return task


def interview_list_for(user: Viewer, *, state: str = "") -> QuerySet[InterviewTask]:
    qs = interview_visible_to(user)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("state", "due_on", "id")


def removal_flags_for(user: Viewer) -> QuerySet[RemovalFlag]:
    return (
        RemovalFlag.objects.filter(organization_id__in=organization_visible_to(user).values("pk"))
        .select_related("organization", "hub", "task")
        .order_by("-flagged_on", "-id")
    )


# --- star ratings -------------------------------------------------------------------------------


def star_visible_to(user: Viewer) -> QuerySet[StarAssessment]:
    if not scope_of(user).signed_in:
        return StarAssessment.objects.none()
    return StarAssessment.objects.filter(
        organization_id__in=organization_visible_to(user).values("pk")
    ).select_related("organization", "hub")


def star_get_for(user: Viewer, pk: int) -> StarAssessment:
    item = star_visible_to(user).filter(pk=pk).first()
    if item is None:
        raise NotFound("星级评定不存在")
    return item


def _ranked(qs: QuerySet[StarAssessment]) -> QuerySet[StarAssessment]:
    return qs.annotate(
        rank=Window(expression=Rank(), order_by=[F("composite").desc()]),
    ).order_by("-composite", "organization__name", "id")


def star_scope(user: Viewer, year: int, *, region_prefix: str = "") -> QuerySet[StarAssessment]:
    """The year's assessments the user sees inside ``region_prefix`` (the star list's rows)."""
    qs = star_visible_to(user).filter(year=year)
    if region_prefix:
        qs = qs.filter(region_code__startswith=region_prefix)
    return qs


def star_ranking(user: Viewer, year: int, *, region_prefix: str = "") -> QuerySet[StarAssessment]:
    """The year's assessments the user sees inside ``region_prefix``, ranked by composite."""
    return _ranked(star_scope(user, year, region_prefix=region_prefix))


def public_star_list(year: int, *, region_prefix: str = "") -> QuerySet[StarAssessment]:
    """Published assessments of the year, ranked (no evaluation details)."""
    qs = StarAssessment.objects.filter(year=year, is_published=True).select_related("organization")
    if region_prefix:
        qs = qs.filter(region_code__startswith=region_prefix)
    return _ranked(qs)


def published_years() -> list[int]:
    return list(
        StarAssessment.objects.filter(is_published=True)
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )


def has_star_priority(org: Organization | int, year: int) -> bool:
    """Whether the organisation holds a published rating of the year at or above the
    locality's priority level (five stars: 优先对接项目和订单)."""
    org_id = org if isinstance(org, int) else org.pk
    item = StarAssessment.objects.filter(
        organization_id=org_id, year=year, is_published=True
    ).first()
    if item is None:
        return False
    return item.stars >= int(policy_for(item.region_code)["priority_stars"])


def nominable_organization(user: Viewer, pk: int) -> Organization | None:
    """An organisation the user sees, by id, to nominate (None: missing or not the user's to
    see, one answer for both)."""
    org = Organization.objects.filter(pk=pk).first()
    return org if org is not None and organization_in_scope(user, org) else None


# --- awards ---------------------------------------------------------------------------------------


def award_round_list_for(user: Viewer) -> QuerySet[AwardRound]:
    """Every signed-in account sees the rounds (anyone may vote)."""
    if not scope_of(user).signed_in:
        return AwardRound.objects.none()
    return AwardRound.objects.annotate(nominee_count=Count("nominations")).order_by("-year", "-id")


def award_round_get_for(user: Viewer, pk: int) -> AwardRound:
    item = award_round_list_for(user).filter(pk=pk).first()
    if item is None:
        raise NotFound("评选不存在")
    return item


# Ranked first (unranked last), then by votes, then by name.
_NOMINATION_ORDER = (F("rank").asc(nulls_last=True), "-vote_count", "organization__name", "id")


def nominations_of(award_round: AwardRound) -> QuerySet[Nomination]:
    return award_round.nominations.select_related("organization").order_by(*_NOMINATION_ORDER)


def nomination_get_for(user: Viewer, pk: int) -> Nomination:
    if not scope_of(user).signed_in:
        raise NotFound("推荐对象不存在")
    item = Nomination.objects.select_related("award_round", "organization").filter(pk=pk).first()
    if item is None:
        raise NotFound("推荐对象不存在")
    return item


def voted_nomination_ids(user: Viewer, award_round: AwardRound) -> set[int]:
    me = scope_of(user).user
    if me is None:
        return set()
    return set(
        Vote.objects.filter(voter_id=me.pk, nomination__award_round_id=award_round.pk).values_list(
            "nomination_id", flat=True
        )
    )


def public_award_rounds() -> QuerySet[AwardRound]:
    return AwardRound.objects.filter(state=AwardState.FINISHED).order_by("-year", "-id")


def public_award_round_get(pk: int) -> AwardRound:
    item = public_award_rounds().filter(pk=pk).first()
    if item is None:
        raise NotFound("评选不存在")
    return item


def award_winners(award_round: AwardRound) -> QuerySet[Nomination]:
    return nominations_of(award_round).filter(is_winner=True)


def winners_by_round(rounds: list[AwardRound]) -> dict[int, list[Nomination]]:
    """Each round's winners in rank order, for a page of rounds in one query."""
    winners: dict[int, list[Nomination]] = {r.pk: [] for r in rounds}
    for nomination in (
        Nomination.objects.filter(award_round__in=rounds, is_winner=True)
        .select_related("organization")
        .order_by(*_NOMINATION_ORDER)
    ):
        winners[nomination.award_round_id].append(nomination)
    return winners


# --- the star list's charts: monthly score distribution and star composition -----------------


@dataclass(frozen=True)
class ScoreMonth:
    month: dt.date
    bands: list[int]  # scorecards per band of SCORE_BANDS, in order
    average: Decimal | None

    @property
    def scored(self) -> int:
        return sum(self.bands)


def score_bands(region_code: str = "") -> list[tuple[Decimal, str]]:
    """The bands of a monthly score as (lower bound, label): below the low-month line (the
    policy's, 6 by default), then 6–8, 8–9, 9 and more."""
    low = Decimal(str(policy_for(region_code)["low_month_below"]))
    bounds = [Decimal(0), low, *[b for b in (Decimal(8), Decimal(9)) if b > low]]
    labels = []
    for i, lower in enumerate(bounds):
        upper = bounds[i + 1] if i + 1 < len(bounds) else None
        if i == 0:
            labels.append(f"{upper:f}分以下")
        elif upper is None:
            labels.append(f"{lower:f}分及以上")
        else:
            labels.append(f"{lower:f}–{upper:f}分")
    return list(zip(bounds, labels, strict=True))


def score_distribution(user: Viewer, year: int, *, region_prefix: str = "") -> list[ScoreMonth]:
    """Per month of ``year``: the user's organisations' monthly scores (inside
    ``region_prefix``) per band of ``score_bands``, and their average. One query."""
    bands = score_bands(region_prefix)
    qs = scorecard_visible_to(user).filter(period__year=year)
    if region_prefix:
        qs = qs.filter(organization__address_code__startswith=region_prefix)
    months = {dt.date(year, m, 1): [0] * len(bands) for m in range(1, 13)}
    sums: dict[dt.date, Decimal] = {}
    for period, total in qs.order_by().values_list("period", "total").iterator():
        key = month_start(period)
        index = max(i for i, (lower, _label) in enumerate(bands) if total >= lower)
        months[key][index] += 1
        sums[key] = sums.get(key, Decimal(0)) + total
    return [
        ScoreMonth(
            month,
            counts,
            (sums[month] / sum(counts)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            if sum(counts)
            else None,
        )
        for month, counts in months.items()
    ]


def star_composition(user: Viewer, year: int, *, region_prefix: str = "") -> list[tuple[int, int]]:
    """(stars, organisations) from five stars down to one, of the star list's rows."""
    counts = dict(
        star_scope(user, year, region_prefix=region_prefix)
        .order_by()
        .values_list("stars")
        .annotate(n=Count("id"))
        .values_list("stars", "n")
    )
    return [(stars, counts.get(stars, 0)) for stars in range(5, 0, -1)]
