"""Input and output shapes of /api/v1/hubs/. Shapes only: the rules live in npohub.hubs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema
from pydantic import ConfigDict

from npohub.hubs.models import AREA_SQM_MAX, HEADCOUNT_MAX

from ..errors import ErrorOut as ErrorOut
from ..history import HistoryOut


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")


class OrganizationRefOut(Schema):
    id: int
    name: str
    uscc: str | None = None


# --- hubs ----------------------------------------------------------------------------------------


class RecogniseIn(StrictIn):
    """The bureau recognises a registered organisation (by id, in the caller's region)."""

    organization_id: int
    kind: str = Field(..., description="party / platform / street / spontaneous")
    region_code: str = Field("", description="覆盖区域代码（任一级，如 370102）；与领域至少填一项")
    category_code: str = Field("", description="覆盖领域（行业分类代码）")
    scope_note: str = ""
    decision_number: str
    decision_date: dt.date
    decision_text: str = ""
    valid_from: dt.date
    valid_until: dt.date | None = None


class RevokeIn(StrictIn):
    reason: str


class HubOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    status: str
    organization: OrganizationRefOut
    region_code: str
    scope_prefix: str
    category: str
    scope_note: str
    decision_number: str
    decision_date: dt.date
    decision_text: str
    valid_from: dt.date
    valid_until: dt.date | None
    revoked_on: dt.date | None
    revoked_reason: str
    member_count: int


class MemberAddIn(StrictIn):
    organization_id: int
    role: str = Field("member", description="member / director / vice_chair / chair / linked")
    joined_on: dt.date
    agreement_signed_on: dt.date | None = None
    agreement_terms: str = ""


class MemberLeaveIn(StrictIn):
    left_on: dt.date = Field(..., description="第一天不再是成员")
    reason: str = ""


class AgreementIn(StrictIn):
    signed_on: dt.date
    terms: str


class MembershipOut(Schema):
    id: int
    hub_id: int
    organization: OrganizationRefOut
    role: str
    joined_on: dt.date
    left_on: dt.date | None
    leave_reason: str
    agreement_signed_on: dt.date | None
    agreement_terms: str


class StaffAddIn(StrictIn):
    username: str
    valid_from: dt.date | None = None


class StaffOut(Schema):
    id: int
    username: str
    display_name: str


# --- actions for the bureau ----------------------------------------------------------------------


class NoticeIn(StrictIn):
    title: str
    body: str


class NoticeOut(Schema):
    id: int
    hub_id: int
    title: str
    body: str
    created_at: dt.datetime
    receipt_count: int
    read_count: int


class ReceiptOut(Schema):
    id: int
    notice_id: int
    hub_name: str
    title: str
    body: str
    organization: OrganizationRefOut
    sent_at: dt.datetime
    read_at: dt.datetime | None


class EscalationIn(StrictIn):
    organization_id: int
    title: str
    description: str


class HubAssignIn(StrictIn):
    assignee: str = Field(..., description="承办人账号（受理辖区民政局工作人员）")


class ResolveIn(StrictIn):
    resolution: str


class EscalationOut(Schema):
    id: int
    hub_id: int
    hub_name: str
    organization: OrganizationRefOut
    title: str
    description: str
    state: str
    region_code: str
    assignee: str | None
    assigned_at: dt.datetime | None
    resolved_at: dt.datetime | None
    resolution: str
    created_at: dt.datetime


class EscalationDetailOut(EscalationOut):
    """One escalation with its history (raised, assigned, resolved), codes and labels."""

    history: list[HistoryOut]


class HubReviewIn(StrictIn):
    """A first-line review (初审) of a member's submission in another app."""

    organization_id: int
    subject: str = Field(..., description="registration.filing / supervision.annual_report / …")
    subject_id: str
    opinion: str = Field(..., description="pass / return / concern")
    comment: str = ""
    score: Decimal | None = Field(
        None,
        ge=0,
        lt=10**4,
        max_digits=6,
        decimal_places=2,
        description="可选评分（0 至政策上限，默认 100）",
    )


class HubReviewOut(Schema):
    id: int
    hub_id: int
    organization: OrganizationRefOut
    subject: str
    subject_id: str
    opinion: str
    comment: str
    score: Decimal | None
    reviewed_by: str
    reviewed_at: dt.datetime


class ReviewSubjectOut(Schema):
    code: str
    label: str


# --- platforms and pairings ----------------------------------------------------------------------


class PlatformIn(StrictIn):
    name: str
    level: str = Field(..., description="city / district / street")
    region_code: str
    operator_id: int = Field(..., description="运营枢纽（枢纽认定的 id）")
    opened_on: dt.date
    offerings: list[str] = Field([], description="incubation / venture / information / training")
    address: str = ""
    area_sqm: int | None = Field(None, ge=0, le=AREA_SQM_MAX)


class VisitIn(StrictIn):
    visited_on: dt.date
    visitor: str
    headcount: int = Field(1, ge=1, le=HEADCOUNT_MAX)
    purpose: str = ""


class HonourIn(StrictIn):
    title: str
    awarded_by: str
    awarded_on: dt.date


class VisitOut(Schema):
    id: int
    visited_on: dt.date
    visitor: str
    headcount: int
    purpose: str


class HonourOut(Schema):
    id: int
    title: str
    awarded_by: str
    awarded_on: dt.date


class PlatformOut(Schema):
    id: int
    name: str
    level: str
    region_code: str
    region_name: str
    operator_id: int
    operator_name: str
    offerings: list[str]
    address: str
    area_sqm: int | None
    opened_on: dt.date
    closed_on: dt.date | None
    incubated_count: int
    project_count: int


class PlatformDetailOut(PlatformOut):
    visits: list[VisitOut]
    honours: list[HonourOut]


class PairingIn(StrictIn):
    senior_id: int = Field(..., description="市、区县管的已登记社会组织")
    community_group_id: int = Field(..., description="备案社区社会组织")
    topic: str
    started_on: dt.date


class PairingCloseIn(StrictIn):
    ended_on: dt.date
    outcome: str


class PairingOut(Schema):
    id: int
    senior: OrganizationRefOut
    community_group: OrganizationRefOut
    topic: str
    started_on: dt.date
    ended_on: dt.date | None
    outcome: str


# --- federations and the streets' lists ----------------------------------------------------------


class FederationIn(StrictIn):
    street_code: str = Field(..., description="街道/乡镇代码（9 或 12 位）")
    organization_id: int
    decision_number: str
    established_on: dt.date
    chair_name: str = ""
    chair_title: str = ""
    chaired_by_street_head: bool = False


class ChairIn(StrictIn):
    chair_name: str
    chair_title: str = ""
    chaired_by_street_head: bool


class ExternalMemberIn(StrictIn):
    name: str
    kind: str = Field(..., description="enterprise / institution / other")
    joined_on: dt.date
    credit_code: str = ""
    contact: str = ""


class ExternalLeaveIn(StrictIn):
    left_on: dt.date


class ExternalMemberOut(Schema):
    id: int
    federation_id: int
    name: str
    kind: str
    credit_code: str
    contact: str
    joined_on: dt.date
    left_on: dt.date | None


class FederationOut(Schema):
    id: int
    name: str
    street_code: str
    street_name: str
    hub_id: int
    organization: OrganizationRefOut
    established_on: dt.date
    dissolved_on: dt.date | None
    chair: str
    chair_title: str
    chaired_by_street_head: bool


class FederationDetailOut(FederationOut):
    members: list[MembershipOut]
    external_members: list[ExternalMemberOut]


class ListItemIn(StrictIn):
    title: str
    description: str = ""
    category: str = ""


class ListStatusIn(StrictIn):
    status: str = Field(..., description="open / matched / closed")


class ListItemOut(Schema):
    id: int
    list_kind: str
    street_code: str
    federation_id: int | None
    title: str
    description: str
    category: str
    status: str
    created_at: dt.datetime


# --- coverage ------------------------------------------------------------------------------------


class FederationCoverageOut(Schema):
    code: str
    name: str
    streets: int
    with_federation: int
    chaired_by_head: int
    coverage: str = Field(..., description="已成立联合会的街道 ÷ 街道数（%）")
    head_chair_share: str = Field(..., description="街道负责人任会长的联合会 ÷ 联合会数（%）")


class PlatformCoverageOut(Schema):
    level: str
    label: str
    regions: int
    covered: int
    platforms: int
    coverage: str


class CoverageOut(Schema):
    region_code: str
    region_name: str
    federations: list[FederationCoverageOut]
    federation_total: FederationCoverageOut
    platforms: list[PlatformCoverageOut]
    hubs_by_kind: dict[str, int]


class PublicHubOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    region_name: str
    scope_note: str
    decision_number: str
    decision_date: dt.date
    valid_from: dt.date
    valid_until: dt.date | None
    member_count: int
