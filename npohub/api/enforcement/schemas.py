"""Input and output shapes of /api/v1/enforcement/ and its public part. Shapes only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import ConfigDict

from ..errors import ErrorOut as ErrorOut
from ..history import HistoryOut, MoveOut

# An amount as its column holds it (DecimalField(14, 2)): 0 ≤ x < 10^12, two places, so 1e30 is
# a 422 naming the field (issue 20).
Amount = Annotated[Decimal, Field(ge=0, lt=10**12, max_digits=14, decimal_places=2)]


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")


# --- inputs ------------------------------------------------------------------------------------


class PublicComplaintIn(StrictIn):
    complainant_name: str = Field("", max_length=50, description="投诉人姓名（可不填）")
    contact: str = Field(..., max_length=100, description="联系方式（手机或邮箱）")
    organization_id: int | None = Field(None, description="被投诉组织编号（公开名录中的编号）")
    organization_text: str = Field("", max_length=200, description="被投诉组织名称（无编号时）")
    category: str = Field(..., description="类别：fees、illegal_fundraising、outside_scope……")
    description: str = Field(..., max_length=4000, description="投诉举报内容")


class ComplaintFilterIn(Schema):
    state: str = ""
    category: str = ""
    overdue: bool = False
    open_only: bool = False
    mine: bool = False
    q: str = Field("", max_length=100)


class EnforcementTransitionIn(StrictIn):
    transition: str = Field(..., description="操作名，见 /enforcement/workflows")
    note: str = Field("", max_length=4000, description="理由、答复内容或决定说明")
    transferred_to: str = Field("", max_length=200, description="转办单位（转办时必填）")
    decision_number: str = Field("", max_length=60, description="处罚决定书文号（决定时）")


class AssignIn(StrictIn):
    assignee_id: int


class NoteIn(StrictIn):
    text: str = Field(..., max_length=4000)


class LinkCaseIn(StrictIn):
    case_id: int


class CaseCreateIn(StrictIn):
    organization_id: int
    title: str = Field(..., max_length=200)
    facts: str = ""
    complaint_id: int | None = None


class CaseFilterIn(Schema):
    state: str = ""
    source: str = ""
    open_only: bool = False
    q: str = Field("", max_length=100)


class SanctionIn(StrictIn):
    kind: str = Field(..., description="处罚种类，见 /enforcement/penalty-types")
    amount: Amount | None = None
    fine_basis: str = Field("", description="turnover（违法经营额）或 gains（违法所得）")
    basis_amount: Amount | None = None
    suspend_until: dt.date | None = None
    person_name: str = ""
    person_id_number: str = ""
    note: str = ""


class PaymentIn(StrictIn):
    paid_on: dt.date
    amount: Amount


class ProposeIn(StrictIn):
    region_prefix: str = Field("", max_length=12, description="区划代码前缀（默认本人辖区）")


class CampaignIn(StrictIn):
    name: str = Field(..., max_length=200)
    region_code: str = Field(..., max_length=12)
    started_on: dt.date | None = None
    report_years: list[int] | None = None
    no_activity_since: dt.date | None = None
    first_activity_days: int | None = Field(None, ge=1, le=3650)


class ContactIn(StrictIn):
    sent_on: dt.date
    signed: bool = False
    returned_on: dt.date | None = None
    note: str = ""


class ActivityIn(StrictIn):
    occurred_on: dt.date
    description: str = Field(..., max_length=300)


class OutcomeIn(StrictIn):
    outcome: str = Field(..., description="rectified / deregistered / revoked")
    note: str = Field(..., max_length=2000)


class StatisticsIn(Schema):
    since: dt.date
    region_prefix: str = ""


# --- outputs -----------------------------------------------------------------------------------


class CodeName(Schema):
    code: str
    name: str


class PublicComplaintOut(Schema):
    """What the complainant sees: status and the reply, nothing internal."""

    number: str
    state: str
    state_label: str
    category_label: str
    organization: str
    received_on: dt.date
    reply_due_on: dt.date
    reply: str
    replied_on: dt.date | None
    decision_note: str
    transferred_to: str


class ComplaintOut(Schema):
    id: int
    number: str
    state: str
    state_label: str
    category: str
    category_label: str
    organization_id: int | None
    organization: str
    region_code: str
    received_on: dt.date
    reply_due_on: dt.date
    is_overdue: bool
    assignee: str | None
    penalty_case_id: int | None


class NoteOut(Schema):
    author: str
    text: str
    created_at: dt.datetime


class ComplaintDetailOut(ComplaintOut):
    complainant_name: str
    contact: str = Field(description="联系方式：仅辖区民政部门和承办人可见全文，其他人为掩码")
    personal_data_masked: bool
    description: str
    decision_note: str
    transferred_to: str
    reply: str
    replied_on: dt.date | None
    closed_on: dt.date | None
    notes: list[NoteOut]
    history: list[HistoryOut]
    moves: list[MoveOut] = Field(description="调用者现在可以办理的操作")


class SanctionOut(Schema):
    id: int
    kind: str
    kind_label: str
    legal_basis: str
    amount: Decimal | None
    fine_basis: str
    basis_amount: Decimal | None
    suspend_until: dt.date | None
    person_name: str
    person_id_number: str = Field(description="身份证号：仅办案的民政部门可见全文，其他人为掩码")
    note: str


class CaseOut(Schema):
    id: int
    number: str
    state: str
    state_label: str
    organization_id: int
    organization: str
    title: str
    source: str
    source_label: str
    filed_on: dt.date | None
    decided_on: dt.date | None


class CaseDetailOut(CaseOut):
    facts: str
    legal_basis: str
    decision_number: str
    notified_on: dt.date | None
    statement_due_on: dt.date | None
    service_due_on: dt.date | None
    served_on: dt.date | None
    payment_due_on: dt.date | None
    paid_on: dt.date | None
    paid_amount: Decimal | None
    fine_total: Decimal
    late_fee_today: Decimal
    closed_on: dt.date | None
    sanctions: list[SanctionOut]
    personal_data_masked: bool
    editable: bool = Field(description="处罚内容是否仍可修改（调用者为办案机关且案件未告知）")
    history: list[HistoryOut]
    moves: list[MoveOut] = Field(description="调用者现在可以办理的操作")


class TransitionOut(Schema):
    name: str
    label: str
    sources: list[str]
    target: str
    capacity: str
    needs_note: bool
    guards: list[str]
    effect: str


class EnforcementWorkflowOut(Schema):
    kind: str
    states: list[CodeName]
    transitions: list[TransitionOut]


class LegalBasisOut(Schema):
    key: str
    provision: str
    penalty_kinds: list[str]
    fine_limits: str


class PenaltyTypesOut(Schema):
    types: list[CodeName]
    bases: list[LegalBasisOut]


class CandidateOut(Schema):
    id: int
    organization_id: int
    organization: str
    criteria: list[CodeName]
    outcome: str
    outcome_label: str
    outcome_note: str
    outcome_on: dt.date | None
    penalty_case_id: int | None
    deregistration_id: int | None


class CampaignOut(Schema):
    id: int
    name: str
    region_code: str
    region: str
    started_on: dt.date
    report_years: list[int]
    no_activity_since: dt.date
    first_activity_days: int
    is_closed: bool
    last_scanned_on: dt.date | None


class CampaignDetailOut(CampaignOut):
    candidates: list[CandidateOut]


class ScanOut(Schema):
    found: int


class ProposeOut(Schema):
    cases: list[CaseOut]


class StatisticsRowOut(Schema):
    level: str
    label: str
    deregistered: int
    revoked: int
    total: int


class StatisticsOut(Schema):
    since: dt.date
    rows: list[StatisticsRowOut]
    deregistered: int
    revoked: int
