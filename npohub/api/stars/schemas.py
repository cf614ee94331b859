"""Input and output shapes of /api/v1/stars/ and /api/v1/public/stars/ (no rules here)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema

from npohub.core.params import YEAR_MAX, YEAR_MIN
from npohub.stars.models import MONTH_SCALE, PART_SCALE

from ..errors import ErrorOut as ErrorOut
from ..history import HistoryOut, MoveOut

# Scores on their scales (issue 20): a month's points 0–10, one decimal; the yearly parts 0–100.
MonthPoints = Annotated[Decimal, Field(ge=0, le=MONTH_SCALE, max_digits=4, decimal_places=1)]
PartScore = Annotated[Decimal, Field(ge=0, le=PART_SCALE, max_digits=5, decimal_places=1)]


# --- templates ---------------------------------------------------------------------------------


class ItemIn(Schema):
    code: str = Field(..., max_length=40)
    name: str = Field(..., max_length=100)
    max_points: MonthPoints
    guidance: str = Field("", max_length=300)
    is_party_building: bool = False


class TemplateIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    region_code: str = Field("", max_length=12, description="适用区划前缀，空为全部")
    items: list[ItemIn]


class ItemOut(Schema):
    code: str
    name: str
    max_points: Decimal
    guidance: str
    is_party_building: bool


class TemplateOut(Schema):
    id: int
    name: str
    region_code: str
    is_active: bool
    items: list[ItemOut]


# --- scorecards --------------------------------------------------------------------------------


class LineIn(Schema):
    code: str = Field(..., max_length=40)
    points: MonthPoints
    reason: str = Field("", max_length=300)
    evidence: str = Field("", max_length=500)


class ScorecardIn(Schema):
    organization_id: int
    period: dt.date = Field(..., description="该月任一日期，按月归档")
    lines: list[LineIn]
    note: str = ""


class LineOut(Schema):
    id: int
    code: str
    name: str
    max_points: Decimal
    points: Decimal
    original_points: Decimal
    reason: str
    evidence: str


class ScorecardOut(Schema):
    id: int
    organization_id: int
    organization_name: str
    period: dt.date
    hub_id: int
    hub_name: str
    total: Decimal
    note: str


class ScorecardDetailOut(ScorecardOut):
    lines: list[LineOut]


class ScorecardFilterIn(Schema):
    month: dt.date | None = Field(None, description="该月任一日期")
    below: Decimal | None = Field(None, description="只看低于此分的月份")


# --- appeals -----------------------------------------------------------------------------------


class AppealIn(Schema):
    grounds: str


class AppealTransitionIn(Schema):
    transition: str = Field(..., description="uphold | adjust")
    note: str = ""
    adjusted_points: MonthPoints | None = None


class AppealOut(Schema):
    id: int
    line_id: int
    scorecard_id: int
    organization_id: int
    item: str
    state: str
    state_label: str
    grounds: str
    decision_note: str
    adjusted_points: Decimal | None
    decided_at: dt.datetime | None


class AppealDetailOut(AppealOut):
    history: list[HistoryOut]


# --- interviews ---------------------------------------------------------------------------------


class InterviewRecordIn(Schema):
    held_on: dt.date
    outcome: str
    rectification_due: dt.date | None = None


class InterviewResolveIn(Schema):
    rectified: bool
    note: str


class InterviewOut(Schema):
    id: int
    organization_id: int
    organization_name: str
    hub_id: int | None
    reason: str
    detail: str
    period: dt.date
    assignee_id: int | None
    due_on: dt.date
    state: str
    state_label: str
    held_on: dt.date | None
    outcome: str
    rectification_due: dt.date | None
    resolution_note: str
    resolved_on: dt.date | None


class InterviewDetailOut(InterviewOut):
    history: list[HistoryOut]


class RemovalFlagOut(Schema):
    id: int
    organization_id: int
    organization_name: str
    hub_id: int | None
    task_id: int
    reason: str
    flagged_on: dt.date


# --- star ratings -------------------------------------------------------------------------------


class RatingIn(Schema):
    organization_id: int
    year: int = Field(..., ge=YEAR_MIN, le=YEAR_MAX)
    self_score: PartScore
    peer_score: PartScore
    resident_score: PartScore
    party_building_passed: bool
    party_note: str = Field("", max_length=300)


class PublishIn(Schema):
    year: int = Field(..., ge=YEAR_MIN, le=YEAR_MAX)
    region: str = Field(..., max_length=12)


class PublishOut(Schema):
    published: int


class RatingFilterIn(Schema):
    year: int
    region: str = ""


class RatingOut(Schema):
    id: int
    organization_id: int
    organization_name: str
    year: int
    region_code: str
    months_scored: int
    monthly_average: Decimal
    self_score: Decimal
    peer_score: Decimal
    resident_score: Decimal
    party_building_passed: bool
    composite: Decimal
    stars: int
    capped: bool
    rank: int | None = None
    is_published: bool


class PublicRatingOut(Schema):
    organization_id: int
    organization_name: str
    uscc: str | None
    year: int
    stars: int
    rank: int | None = None
    published_on: dt.date | None


class PriorityOut(Schema):
    organization_id: int
    year: int
    has_priority: bool


# --- awards ---------------------------------------------------------------------------------------


class AwardRoundIn(Schema):
    title: str = Field(..., max_length=200)
    kind: str = Field(..., description="excellent | top_ten")
    year: int = Field(..., ge=YEAR_MIN, le=YEAR_MAX)
    region_code: str = Field(..., max_length=12)
    vote_opens: dt.date
    vote_closes: dt.date
    winners: int | None = Field(None, ge=1, le=1000)


class AwardTransitionIn(Schema):
    transition: str = Field(..., description="open_voting | finish")


class NominationIn(Schema):
    organization_id: int
    statement: str


class NominationOut(Schema):
    id: int
    organization_id: int
    organization_name: str
    statement: str
    vote_count: int
    rank: int | None
    is_winner: bool


class AwardRoundOut(Schema):
    id: int
    title: str
    kind: str
    year: int
    region_code: str
    winners: int
    vote_opens: dt.date
    vote_closes: dt.date
    state: str
    state_label: str
    finished_on: dt.date | None


class AwardRoundDetailOut(AwardRoundOut):
    nominations: list[NominationOut]
    moves: list[MoveOut]  # the moves the caller may make now
    history: list[HistoryOut]  # the round's moves (for the bureau that runs it)


class VoteOut(Schema):
    nomination_id: int
    vote_count: int


class PublicWinnerOut(Schema):
    organization_id: int
    organization_name: str
    rank: int | None
    vote_count: int


class PublicAwardRoundOut(AwardRoundOut):
    winners_list: list[PublicWinnerOut]
