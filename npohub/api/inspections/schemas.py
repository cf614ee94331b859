"""Input and output shapes of /api/v1/inspections/ and its public part. Shapes only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from npohub.core.params import TEXT_MAX, YEAR_MAX, YEAR_MIN
from npohub.inspections.models import INSPECTORS_MAX

from ..errors import ErrorOut as ErrorOut
from ..history import HistoryOut, MoveOut
from ..types import DbId


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")


class PlanIn(StrictIn):
    title: str = Field(..., max_length=200)
    year: int = Field(..., ge=YEAR_MIN, le=YEAR_MAX)
    kind: str = Field(..., description="regular（定期）/ ad_hoc（不定期）")
    method: str = Field(..., description="desk（书面）/ on_site（实地）")
    ratios: dict[str, str] = Field(
        default_factory=dict,
        description="各类比例（小数）：association、social_service、foundation、charity（慈善组织单独分层）",
    )
    by_district: bool = False
    category_code: str = ""
    topic: str = Field("", max_length=200)
    scope: str = Field("", max_length=TEXT_MAX)
    inspectors_per_check: int | None = Field(None, ge=1, le=INSPECTORS_MAX)
    authority_code: str = Field("", description="登记管理机关所在区划代码（默认本人所辖区划）")


class InspectionTransitionIn(StrictIn):
    transition: str = Field(..., description="commit / draw / publish / start / close")


class InspectionNoticeIn(StrictIn):
    scope_notice: str
    scheduled_on: dt.date | None = None


class FindingIn(StrictIn):
    type: str = Field(
        ..., description="annual_report / disclosure / governance / finance / activities / other"
    )
    description: str
    legal_basis: str = ""


class ConcludeIn(StrictIn):
    checked_on: dt.date
    conclusion: str = Field(..., description="no_problem / rectify / referred / unreachable")
    note: str = ""


class OrderIn(StrictIn):
    requirement: str
    deadline: dt.date
    finding_id: int | None = None


class ReplaceIn(StrictIn):
    user_id: DbId
    reason: str = Field(..., max_length=300)


class ReportIn(StrictIn):
    rectified_on: dt.date
    note: str = ""


class VerifyIn(StrictIn):
    verified_on: dt.date | None = None


class InspectorIn(StrictIn):
    username: str
    department: str = ""
    id_number: str = ""
    region_code: str = Field("", description="名录所属区划（默认本人所辖区划）")


class InspectorUpdateIn(StrictIn):
    department: str = ""
    id_number: str = ""
    is_active: bool = True


class InspectorConflictIn(StrictIn):
    organization_id: int
    reason: str = Field(..., max_length=300)


class PlanListFilterIn(Schema):
    year: int | None = None
    state: str = ""
    kind: str = ""


class CheckFilterIn(Schema):
    plan_id: int | None = None
    status: str = ""


class InspectionRegionOut(Schema):
    code: str
    name: str


class PlanOut(Schema):
    id: int
    title: str
    year: int
    authority_region: InspectionRegionOut
    level: str
    kind: str
    method: str
    ratios: dict[str, str]
    by_district: bool
    category: str | None
    topic: str
    scope: str
    inspectors_per_check: int
    state: str
    state_label: str
    seed_hash: str
    seed: str | None
    committed_at: dt.datetime | None
    drawn_at: dt.datetime | None
    published_at: dt.datetime | None
    closed_at: dt.datetime | None
    checks: int
    transitions: list[str] = []
    moves: list[MoveOut] = []  # the moves the caller may make now, with their labels


class PlanDetailOut(PlanOut):
    history: list[HistoryOut]  # the plan's moves (for the bureau that runs it)


class InspectorRefOut(Schema):
    user_id: int
    name: str
    source: str


class OrderOut(Schema):
    id: int
    requirement: str
    issued_on: dt.date
    deadline: dt.date
    finding_id: int | None
    rectified_on: dt.date | None
    rectification_note: str
    verified_on: dt.date | None
    status: str


class FindingOut(Schema):
    id: int
    type: str
    type_label: str
    description: str
    legal_basis: str


class CheckOut(Schema):
    id: int
    plan_id: int
    number: int
    organization: dict[str, Any]
    org_key: str
    stratum: str
    rank: int
    score: str
    status: str
    status_label: str
    scope_notice: str
    notified_on: dt.date | None
    scheduled_on: dt.date | None
    checked_on: dt.date | None
    conclusion: str
    conclusion_label: str
    conclusion_note: str
    inspectors: list[InspectorRefOut]
    findings: list[FindingOut]
    orders: list[OrderOut]


class CheckDetailOut(CheckOut):
    history: list[HistoryOut]


class LogOut(Schema):
    sequence: int
    kind: str
    kind_label: str
    check_id: int | None
    user_id: int | None
    reason: str
    reason_label: str
    message: str
    data: dict[str, Any]


class InspectorOut(Schema):
    id: int
    user_id: int
    name: str
    region: InspectionRegionOut
    department: str
    id_number: str = Field(..., description="身份证号（无权查看时部分遮盖）")
    personal_data_masked: bool
    is_active: bool


class InspectorConflictOut(Schema):
    id: int
    inspector_id: int
    organization_id: int
    reason: str
    declared_at: dt.datetime
    withdrawn_at: dt.datetime | None


class PublicCheckOut(Schema):
    number: int
    organization: dict[str, Any]
    conclusion: str
    conclusion_label: str
    findings: list[str]
    rectification: list[str]


class PublicPlanOut(Schema):
    id: int
    title: str
    year: int
    authority_region: InspectionRegionOut
    kind: str
    method: str
    state: str
    seed_hash: str
    seed: str | None
    ratios: dict[str, str]
    fee: int = Field(0, description="抽查不收取任何费用")
    checks: list[PublicCheckOut] = []


class StratumVerifyOut(Schema):
    key: str
    population: int
    ratio: str
    expected: list[str]
    recorded: list[str]
    ok: bool


class VerifyOut(Schema):
    ok: bool
    hash_ok: bool
    lists_ok: bool
    seed: str
    seed_hash: str
    committed_hash: str
    error: str
    strata: list[StratumVerifyOut]
    inspectors_ok: bool
