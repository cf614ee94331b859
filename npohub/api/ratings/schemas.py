"""Input and output shapes of /api/v1/ratings/ and /api/v1/public/ratings/ (no rules here)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema

from npohub.core.params import YEAR_MAX, YEAR_MIN
from npohub.ratings.models import POINTS_MAX, VOTES_MAX

from ..errors import ErrorOut as ErrorOut
from ..history import HistoryOut, MoveOut

# Points and totals as their columns hold them (issue 20): 0 to POINTS_MAX, one decimal.
Points = Annotated[Decimal, Field(ge=0, le=POINTS_MAX, max_digits=5, decimal_places=1)]


class RoundIn(Schema):
    name: str = Field(..., max_length=200)
    year: int = Field(..., ge=YEAR_MIN, le=YEAR_MAX)
    region_code: str = Field(..., description="组织评估的登记管理机关的12位区划代码")
    kinds: list[str] = Field(..., description="association | social_service | foundation")
    applications_until: dt.date | None = None
    copy_from: int | None = Field(None, description="沿用此前某轮次的指标体系")


class RoundOut(Schema):
    id: int
    name: str
    year: int
    region_code: str
    region_name: str
    kinds: list[str]
    state: str
    state_label: str
    thresholds: dict[str, Any]
    validity_years: int
    applications_until: dt.date | None
    comment_from: dt.date | None
    comment_until: dt.date | None
    finalised_on: dt.date | None


class RoundDetailOut(RoundOut):
    transitions: list[str]
    moves: list[MoveOut]
    history: list[HistoryOut]
    tree_problems: list[str]
    level_counts: dict[str, int]


class RatingTransitionIn(Schema):
    transition: str
    note: str = ""


class IndicatorIn(Schema):
    kind: str
    code: str
    name: str
    max_points: int
    parent_id: int | None = None
    guidance: str = ""


class IndicatorUpdateIn(Schema):
    code: str
    name: str
    max_points: int
    guidance: str = ""


class IndicatorOut(Schema):
    id: int
    kind: str
    parent_id: int | None
    code: str
    name: str
    max_points: int
    guidance: str
    is_leaf: bool


class ReasonOut(Schema):
    code: str
    message: str
    source: str = ""
    ref: str = ""


class ApplicationIn(Schema):
    organization_id: int
    note: str = ""


class ApplicationOut(Schema):
    id: int
    round_id: int
    organization_id: int
    organization_name: str
    state: str
    applied_on: dt.date
    eligibility_checked_on: dt.date | None
    eligibility_reasons: list[ReasonOut]
    panel_total: Decimal | None
    final_total: Decimal | None
    level: str
    committee_note: str


class PanelMemberOut(Schema):
    assignment_id: int
    expert_id: int
    expert_name: str
    submitted: bool
    total: Decimal
    is_outlier: bool
    outlier_note: str


class RatingApplicationDetailOut(ApplicationOut):
    panel: list[PanelMemberOut]


class PanelIn(Schema):
    expert_id: int


class FinaliseIn(Schema):
    final_total: Points | None = None
    note: str = ""


class ObjectionIn(Schema):
    reasons: str


class DecisionIn(Schema):
    upheld: bool
    decision: str
    votes_for: int = Field(..., ge=0, le=VOTES_MAX)
    votes_against: int = Field(..., ge=0, le=VOTES_MAX)
    new_total: Points | None = None


class ObjectionOut(Schema):
    id: int
    application_id: int
    state: str
    filed_on: dt.date
    due_on: dt.date
    reasons: str
    decision: str
    votes_for: int
    votes_against: int
    new_level: str
    decided_on: dt.date | None
    history: list[HistoryOut] = []


class ScoreIn(Schema):
    indicator_id: int
    points: Points | None = None
    comment: str = Field("", max_length=500)
    evidence_ref: str = Field("", max_length=200)


class ScoresIn(Schema):
    scores: list[ScoreIn]


class ScoreOut(Schema):
    indicator_id: int
    points: Decimal
    comment: str
    evidence_ref: str
    evidence_file: str


class AssignmentOut(Schema):
    id: int
    application_id: int
    round_id: int
    organization_name: str
    organization_kind: str
    submitted_at: dt.datetime | None
    total: Decimal
    is_outlier: bool


class AssignmentDetailOut(AssignmentOut):
    indicators: list[IndicatorOut]
    scores: list[ScoreOut]


class ExpertIn(Schema):
    user_id: int
    region_code: str
    id_number: str = ""
    field: str = ""
    employer: str = ""


class ExpertOut(Schema):
    id: int
    user_id: int
    name: str
    region_code: str
    id_number: str = Field(..., description="身份证号（无权查看时部分遮盖）")
    personal_data_masked: bool
    field: str
    employer: str
    is_active: bool


class ConflictIn(Schema):
    organization_id: int
    reason: str


class ConflictOut(Schema):
    id: int
    expert_id: int
    organization_id: int
    reason: str


class AffiliationIn(Schema):
    organization_id: int
    position: str = ""
    left_on: dt.date | None = None


class AffiliationOut(Schema):
    id: int
    expert_id: int
    organization_id: int
    position: str
    left_on: dt.date | None


class GradeOut(Schema):
    id: int
    organization_id: int
    organization_name: str
    level: str
    total: Decimal | None
    awarded_on: dt.date
    valid_until: dt.date
    state: str
    ended_on: dt.date | None
    certificate_number: str
    certificate_issued_on: dt.date | None
    plaque_issued_on: dt.date | None
    return_due_on: dt.date | None
    certificate_returned_on: dt.date | None
    plaque_returned_on: dt.date | None
    reason: str
    history: list[HistoryOut] = []


class DowngradeIn(Schema):
    reason: str
    on: dt.date | None = None


class TrackIn(Schema):
    certificate_issued_on: dt.date | None = None
    plaque_issued_on: dt.date | None = None
    certificate_returned_on: dt.date | None = None
    plaque_returned_on: dt.date | None = None


class ReviewIn(Schema):
    on: dt.date | None = None


class ReviewOut(Schema):
    lapsed: int
    downgraded: int
    reminded: int


class PublicGradeFilterIn(Schema):
    q: str = Field("", description="名称或统一社会信用代码")
    level: str = Field("", description="5A | 4A | 3A | 2A | 1A")
    region: str = ""


class PublicGradeOut(Schema):
    organization_id: int
    organization_name: str
    uscc: str | None
    level: str
    awarded_on: dt.date
    valid_until: dt.date
    certificate_number: str
