"""Input and output shapes of /api/v1/credit/ and /api/v1/public/credit/ (no rules here)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema

from ..errors import ErrorOut as ErrorOut


class ListingFilterIn(Schema):
    credit_list: str = Field("", description="abnormal | serious")
    state: str = Field("current", description="current | removed | all")
    region: str = ""
    kind: str = ""
    rule: str = ""
    listed_from: dt.date | None = None
    listed_until: dt.date | None = None
    q: str = Field("", description="名称或统一社会信用代码")


class ListingOut(Schema):
    id: int
    organization_id: int
    organization_name: str
    uscc: str | None
    credit_list: str
    rule: str
    reason: str
    legal_basis: str
    listed_on: dt.date
    clock_started_on: dt.date
    removed_on: dt.date | None
    removal_reason: str


class PublicListingOut(Schema):
    organization_id: int
    organization_name: str
    uscc: str | None
    credit_list: str
    reason: str
    legal_basis: str
    listed_on: dt.date
    removed_on: dt.date | None
    removal_reason: str


class ListingEventOut(Schema):
    kind: str
    on: dt.date
    note: str
    actor_label: str


class ListingDetailOut(ListingOut):
    events: list[ListingEventOut]
    fact_ids: list[int]


class FactIn(Schema):
    organization_id: int
    kind: str
    arose_on: dt.date
    reference: str
    summary: str
    legal_basis: str = ""
    # As CreditFact.amount holds it: 0 ≤ x < 10^12, two places (1e30 is a 422 naming the field).
    amount: Annotated[Decimal, Field(ge=0, lt=10**12, max_digits=14, decimal_places=2)] | None = (
        None
    )


class FactOut(Schema):
    id: int
    organization_id: int
    kind: str
    category: str
    arose_on: dt.date
    entered_on: dt.date
    is_late_entry: bool
    summary: str
    legal_basis: str
    amount: Decimal | None
    source: str
    source_label: str = Field("", description="来源（中文名称）")
    resolved_on: dt.date | None


class FactResolveIn(Schema):
    on: dt.date
    note: str


class CreditFileOut(Schema):
    organization_id: int
    name: str
    facts: list[FactOut]
    listings: list[ListingDetailOut]


class RequestIn(Schema):
    listing_id: int
    kind: str = Field(..., description="objection | repair")
    reasons: str


class RequestTransitionIn(Schema):
    transition: str
    note: str = ""


class RequestOut(Schema):
    id: int
    kind: str
    organization_id: int
    listing_id: int | None
    state: str
    state_label: str = Field("", description="状态（中文名称）")
    reasons: str
    filed_on: dt.date
    decided_on: dt.date | None
    decision_note: str


class RuleOut(Schema):
    id: int
    code: str
    name: str
    credit_list: str
    trigger: str
    fact_kinds: list[str]
    parameters: dict[str, Any]
    parameters_text: str = Field("", description="参数（文字说明）")
    legal_basis: str
    confirmation: str
    is_active: bool
    is_local: bool


class RuleIn(Schema):
    is_active: bool
    parameters: dict[str, Any] = {}


class BarredIn(Schema):
    id_number: str
    name: str
    reason: str
    legal_basis: str = ""
    barred_from: dt.date
    barred_until: dt.date | None = None


class BarredLiftIn(Schema):
    on: dt.date
    note: str


class BarredOut(Schema):
    id: int
    name: str
    id_number_masked: str
    reason: str
    legal_basis: str
    barred_from: dt.date
    barred_until: dt.date | None
    lifted_on: dt.date | None


class CreditContactIn(Schema):
    organization_id: int
    method: str
    sent_on: dt.date
    signed: bool = False
    returned_on: dt.date | None = None
    note: str = ""


class ContactOut(Schema):
    id: int
    organization_id: int
    method: str
    sent_on: dt.date
    signed: bool
    returned_on: dt.date | None
    note: str


class EvaluateIn(Schema):
    on: dt.date


class EvaluationOut(Schema):
    on: dt.date
    detected: int
    facts_processed: int
    listed: int
    clock_restarted: int
    escalated: int
    removed: int


class EligibilityReasonOut(Schema):
    code: str
    message: str
    source: str
    ref: str


class EligibilityOut(Schema):
    organization_id: int
    purpose: str
    on: dt.date
    ok: bool
    reasons: list[EligibilityReasonOut]


class PublicStatusOut(Schema):
    organization_id: int
    name: str
    on: dt.date
    listings: list[PublicListingOut]
